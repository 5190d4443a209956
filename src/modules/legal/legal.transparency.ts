import { sql, type Kysely } from "kysely";
import type { Database } from "../../store/database.ts";
import { INSTRUMENTS, type Instrument } from "./legal.ts";

/**
 * The transparency report of legal requests for a period, in the categories the large providers
 * publish: requests received, accounts specified, and requests where some data was produced, by
 * instrument and by country. Rendered from the register alone (counts, no person and no
 * reference), so it can be published as it is. A request counts in the period it was received.
 */
export interface TransparencyLine {
  readonly requests: number;
  readonly accounts: number;
  readonly produced: number;
  /** Share of requests where some data was produced, in percent, rounded (0 when none). */
  readonly producedPercent: number;
}

export interface TransparencyReport {
  readonly period: string;
  readonly from: string;
  readonly to: string;
  readonly total: TransparencyLine;
  readonly byInstrument: readonly ({ readonly instrument: Instrument } & TransparencyLine)[];
  readonly byCountry: readonly ({ readonly country: string } & TransparencyLine)[];
}

interface Row {
  instrument: string;
  country: string;
  requests: number;
  accounts: number;
  produced: number;
}

export async function transparencyReport(
  db: Kysely<Database>,
  period: string,
  from: Date,
  to: Date,
): Promise<TransparencyReport> {
  // Each request's accounts first (one pass over the period's subjects, grouped), then joined to
  // the requests: no subquery per request, which Citus cannot run over people's rows.
  const { rows } = await sql<Row>`with per_request as (
      select s.request_id, count(*) as accounts, bool_or(s.disclosure_id is not null) as disclosed
      from legal_request_subjects s
      where s.request_id in (
        select request_id from legal_requests where received_at >= ${from} and received_at < ${to})
      group by s.request_id)
    select r.instrument, r.country,
      count(*)::int as requests,
      coalesce(sum(p.accounts), 0)::int as accounts,
      count(*) filter (where r.state = 'produced' and coalesce(p.disclosed, false))::int as produced
    from legal_requests r
    left join per_request p on p.request_id = r.request_id
    where r.received_at >= ${from} and r.received_at < ${to}
    group by r.instrument, r.country
    order by r.instrument, r.country`.execute(db);
  const sum = (of: readonly Row[]): TransparencyLine => {
    const requests = of.reduce((n, r) => n + Number(r.requests), 0);
    const produced = of.reduce((n, r) => n + Number(r.produced), 0);
    return {
      requests,
      accounts: of.reduce((n, r) => n + Number(r.accounts), 0),
      produced,
      producedPercent: requests === 0 ? 0 : Math.round((100 * produced) / requests),
    };
  };
  const countries = [...new Set(rows.map((r) => r.country))].sort();
  return {
    period,
    from: from.toISOString(),
    to: to.toISOString(),
    total: sum(rows),
    byInstrument: INSTRUMENTS.map((instrument) => ({
      instrument,
      ...sum(rows.filter((r) => r.instrument === instrument)),
    })),
    byCountry: countries.map((country) => ({ country, ...sum(rows.filter((r) => r.country === country)) })),
  };
}
