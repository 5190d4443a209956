import { useEffect, useState } from "react";
import { api, ApiError } from "../../shared/api.ts";
import { Alert } from "../../shared/forms.tsx";
import { day } from "../../shared/format.ts";
import { Link, navigate } from "../../shared/router.tsx";
import type { PageProps } from "../pages.tsx";
import type { Page } from "../types.ts";
import { staffMessage } from "../words.ts";
import { CampaignDetail } from "./campaigns/Detail.tsx";
import { CampaignForm } from "./campaigns/Form.tsx";
import { words, type Campaign } from "./campaigns/types.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Campaigns: the list (newest first) and the form for a new one at /console/campaigns, one
 * campaign at /console/campaigns/<id>. A campaign's id is the only thing in the address bar.
 */
export function Campaigns({ me, policy, path }: PageProps) {
  const id = path.startsWith("/console/campaigns/") ? path.slice("/console/campaigns/".length) : null;
  if (id !== null) {
    if (!UUID.test(id)) {
      return (
        <>
          <h1>Campaign not found</h1>
          <p>
            There is no such campaign. <Link to="/console/campaigns">All campaigns</Link>.
          </p>
        </>
      );
    }
    return <CampaignDetail key={id} id={id} policy={policy} />;
  }
  return <CampaignList me={me} policy={policy} path={path} />;
}

function CampaignList({ me, policy }: PageProps) {
  const [items, setItems] = useState<readonly Campaign[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    api<Page<Campaign>>("GET", "/v1/campaigns?limit=50").then(
      ({ data }) => setItems(data.items),
      (error: unknown) => {
        if (!(error instanceof ApiError)) throw error;
        setMessage(staffMessage(error.problem));
      },
    );
  }, []);

  const names = new Map(policy.purposes.map((p) => [p.id, p.name ?? p.id]));
  return (
    <>
      <h1>Campaigns</h1>
      <p className="lead">
        A campaign reaches only the people the policy allows: preview who it would reach, and why the others
        are left out, before you send it.
      </p>
      {message ? <Alert>{message}</Alert> : null}
      <section aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">Recent campaigns</h2>
        {items === null ? (
          message ? null : (
            <p aria-busy="true">Loading…</p>
          )
        ) : items.length === 0 ? (
          <p>No campaign yet.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link to={`/console/campaigns/${c.id}`}>{c.name}</Link>
                    </th>
                    <td>{names.get(c.purpose) ?? c.purpose}</td>
                    <td>{words(c.channel)}</td>
                    <td>{words(c.status)}</td>
                    <td>{day(c.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CampaignForm
        purposes={me.purposes}
        policy={policy}
        onCreated={(view) => navigate(`/console/campaigns/${view.id}`)}
      />
    </>
  );
}
