import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert, cardGuard, explain, Field, type FieldErrors } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";

interface Service {
  serviceId: string;
  plan?: string;
  status: "active" | "changed" | "cancelled";
  createdAt: string;
  version: number;
}

const STATUS: Record<Service["status"], string> = {
  active: "Active",
  changed: "Active (plan changed)",
  cancelled: "Cancelled",
};

/**
 * My services (ZM-07): the customer orders a service on a plan, changes its plan or cancels it,
 * through GET/POST/PATCH /v1/account/me/services (a change names the version shown: If-Match).
 */
export function Services() {
  const [services, setServices] = useState<Service[] | null>(null);
  const [plan, setPlan] = useState("");
  const [changing, setChanging] = useState<{ id: string; plan: string } | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data } = await api<{ items: Service[] }>("GET", "/v1/account/me/services");
    setServices(data.items);
  }, []);
  useEffect(() => {
    load().catch((error: unknown) => {
      if (error instanceof ApiError) setMessage({ kind: "error", text: explain(error.problem).message });
    });
  }, [load]);

  const act = async (work: () => Promise<unknown>, done: string): Promise<boolean> => {
    setBusy(true);
    try {
      await work();
      await load();
      setMessage({ kind: "success", text: done });
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const explained = explain(error.problem);
      setErrors(explained.fields);
      setMessage({ kind: "error", text: explained.message });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const order = async (event: FormEvent) => {
    event.preventDefault();
    const found = cardGuard({ plan });
    if (plan.trim() === "") found.plan = "Enter the plan you want.";
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (
      await act(
        () => api("POST", "/v1/account/me/services", { body: { plan: plan.trim() } }),
        "Service ordered.",
      )
    )
      setPlan("");
  };

  const change = async (event: FormEvent, s: Service) => {
    event.preventDefault();
    const next = changing?.plan.trim() ?? "";
    const found = cardGuard({ newPlan: next });
    if (next === "") found.newPlan = "Enter the new plan.";
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const body = { action: "change", plan: next };
    if (
      await act(
        () => api("PATCH", `/v1/account/me/services/${s.serviceId}`, { body, ifMatch: `"${s.version}"` }),
        "Plan changed.",
      )
    )
      setChanging(null);
  };

  return (
    <section aria-labelledby="services" className="panel">
      <h2 id="services">My services</h2>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {services === null ? null : services.length === 0 ? (
        <p>No service yet.</p>
      ) : (
        <ul className="addresses">
          {services.map((s) => (
            <li key={s.serviceId}>
              <span>
                {s.plan ?? "A service"}: {STATUS[s.status]}, since {day(s.createdAt)}
              </span>
              {s.status === "cancelled" ? null : changing?.id === s.serviceId ? (
                <form onSubmit={(e) => void change(e, s)} noValidate>
                  <Field
                    label="New plan"
                    name="newPlan"
                    value={changing.plan}
                    error={errors.newPlan}
                    onChange={(e) => setChanging({ id: s.serviceId, plan: e.target.value })}
                  />
                  <button type="submit" disabled={busy}>
                    Change the plan
                  </button>
                </form>
              ) : (
                <span>
                  <button
                    type="button"
                    className="secondary"
                    disabled={busy}
                    onClick={() => setChanging({ id: s.serviceId, plan: s.plan ?? "" })}
                  >
                    Change<span className="visually-hidden"> {s.plan}</span>
                  </button>{" "}
                  <button
                    type="button"
                    className="secondary"
                    disabled={busy}
                    onClick={() =>
                      void act(
                        () =>
                          api("PATCH", `/v1/account/me/services/${s.serviceId}`, {
                            body: { action: "cancel" },
                            ifMatch: `"${s.version}"`,
                          }),
                        "Service cancelled.",
                      )
                    }
                  >
                    Cancel<span className="visually-hidden"> {s.plan}</span>
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void order(e)} noValidate>
        <fieldset>
          <legend>Order a service</legend>
          <Field
            label="Plan"
            name="plan"
            value={plan}
            error={errors.plan}
            onChange={(e) => setPlan(e.target.value)}
          />
          <button type="submit" disabled={busy}>
            Order the service
          </button>
        </fieldset>
      </form>
    </section>
  );
}
