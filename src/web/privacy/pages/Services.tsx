import { useState, type FormEvent } from "react";
import { api } from "../../shared/api.ts";
import { Alert, cardGuard, Field } from "../../shared/forms.tsx";
import { itemsOf, useList } from "../../shared/use-list.ts";
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

const readServices = itemsOf<Service>("/v1/account/me/services");

/**
 * My services (ZM-07): the customer orders a service on a plan, changes its plan or cancels it,
 * through GET/POST/PATCH /v1/account/me/services (a change names the version shown: If-Match).
 */
export function Services() {
  const { items: services, errors, setErrors, message, busy, act } = useList(readServices);
  const [plan, setPlan] = useState("");
  const [changing, setChanging] = useState<{ id: string; plan: string } | null>(null);

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
