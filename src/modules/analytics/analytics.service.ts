import type { Kysely } from "kysely";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import { auditActor, type Acting } from "../../use/acting.ts";
import { use, type UseDeps } from "../../use/kernel.ts";
import { failWith, ok, type Result } from "../../use/refusal.ts";
import { ledgerWrite } from "../disclosures/disclosures.service.ts";
import { buildReport, type DayReport } from "./analytics.report.ts";
import { destroySaltsBefore, lockedSpent, recordSpend, saltOfDay, spentIn } from "./analytics.repository.ts";
import { dayOf, pageViewOf, periodOf, SALT_LIFETIME_MS, visitorKey } from "./analytics.ts";
import type { PageViewWriter } from "./analytics.writer.ts";
import "./analytics.events.ts";

/** ε a site's noisy reports may spend per calendar month when the pack names no budget. */
export const DEFAULT_EPSILON_BUDGET = 1;
/** The longest range one report covers. */
export const MAX_REPORT_DAYS = 92;

export interface AnalyticsDeps extends UseDeps {
  /** Uniform draws in [0, 1) for the Laplace noise; default Math.random. */
  readonly uniform?: () => number;
}

/** A hit as the collection endpoint receives it; the address and user agent are never stored. */
export interface Hit {
  readonly page: string;
  readonly referrer?: string;
  readonly ip: string;
  readonly userAgent: string;
  /** The visitor asked not to be counted: `Sec-GPC: 1` or `DNT: 1`. */
  readonly optedOut: boolean;
}

/**
 * The day's salt, kept in memory for the day it belongs to. Making a new day's salt is the
 * rotation: salts older than 48 hours are destroyed then (and by `destroyExpiredSalts` on a sweep,
 * for days without hits).
 */
export class Salts {
  private current: { day: string; salt: Buffer } | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
  ) {}

  async forDay(now: Date): Promise<{ day: string; salt: Buffer }> {
    const day = dayOf(now);
    if (this.current?.day === day) return this.current;
    const salt = await saltOfDay(this.db, day, now);
    await destroyExpiredSalts(this.db, now);
    this.current = { day, salt };
    return this.current;
  }

  /** Forgets the salt held in memory once its day has passed (a sweep calls this). */
  async sweep(): Promise<number> {
    const now = this.clock();
    if (this.current !== null && this.current.day !== dayOf(now)) this.current = null;
    return destroyExpiredSalts(this.db, now);
  }
}

/** Deletes every salt whose day began 48 hours or more before `now`. */
export async function destroyExpiredSalts(db: Kysely<Database>, now: Date): Promise<number> {
  // A salt of day D is kept while now < D + 48 h, i.e. the days kept are today and yesterday.
  const firstKept = dayOf(new Date(Date.parse(dayOf(now)) - SALT_LIFETIME_MS + 24 * 3600_000));
  return destroySaltsBefore(db, firstKept);
}

/**
 * Counts one page view. Dropped, with nothing stored, when the visitor opted out (GPC, Do Not
 * Track) or the page is not an http(s) URL. Stores the site, the path, the referring host and the
 * salted visitor key; never the address, the user agent, or the page's query string.
 */
export async function collectHit(
  deps: { readonly clock: () => Date; readonly salts: Salts; readonly writer: PageViewWriter },
  hit: Hit,
): Promise<"counted" | "dropped"> {
  if (hit.optedOut) return "dropped";
  const view = pageViewOf(hit.page, hit.referrer);
  if (view === null) return "dropped";
  const now = deps.clock();
  const { day, salt } = await deps.salts.forDay(now);
  await deps.writer.write({
    ...view,
    day,
    at: now,
    visitor: visitorKey(salt, view.site, hit.ip, hit.userAgent),
  });
  return "counted";
}

export interface ReportQuery {
  readonly site: string;
  readonly from: string;
  readonly to: string;
  readonly purpose: string;
  /** ε of Laplace noise to add (spent from the month's budget); the pack's `noise_epsilon` if it sets one. */
  readonly epsilon?: number;
}

export interface SiteReport {
  readonly site: string;
  readonly from: string;
  readonly to: string;
  readonly minCohort: number | null;
  /** ε of the noise added to every published count; null: exact counts. */
  readonly epsilon: number | null;
  /** The privacy budget of each month the range touches, after this report's spend. */
  readonly budget: { readonly limit: number; readonly periods: readonly BudgetPeriod[] };
  readonly days: readonly DayReport[];
}

export interface BudgetPeriod {
  /** `YYYY-MM`. */
  readonly period: string;
  readonly spent: number;
  readonly left: number;
}

/**
 * A report of a site's statistics: an `analyse` use with `aggregate: true` of the purpose's
 * fields (the gate refuses an aggregate-only purpose any other way, and a role without the
 * purpose). With noise, ε is spent from each month the range touches, in the ledger, in the same
 * transaction; a report that would pass a month's budget is refused, naming the pack's clauses.
 */
export async function siteReport(
  deps: AnalyticsDeps,
  acting: Acting,
  query: ReportQuery,
): Promise<Result<SiteReport>> {
  const result = await aggregateUse(deps, acting, query, null);
  if (!result.ok) return result;
  const { disclosureId: _none, ...report } = result.value;
  return ok(report);
}

export interface ExportQuery extends ReportQuery {
  readonly recipient: string;
  /** `aggregate`: the report; `page_views`: rows with visitor keys, which no recipient gets (Z16-09). */
  readonly level: "aggregate" | "page_views";
}

/**
 * Sends a report to a recipient (a tracking tool, Z16-09): a `disclose` use of the purpose's
 * fields to that recipient, recorded in the disclosure ledger as an `aggregate` act concerning
 * no one. Asking for page views with their visitor keys is asked of the gate as a per-person use,
 * which an aggregate-only purpose refuses; nothing is computed or recorded but the decision.
 */
export async function exportReport(
  deps: AnalyticsDeps,
  acting: Acting,
  query: ExportQuery,
): Promise<Result<SiteReport & { readonly disclosureId: string }>> {
  return aggregateUse(deps, acting, query, { recipient: query.recipient, level: query.level });
}

async function aggregateUse<E extends { recipient: string; level: ExportQuery["level"] } | null>(
  deps: AnalyticsDeps,
  acting: Acting,
  query: ReportQuery,
  exporting: E,
): Promise<Result<SiteReport & { readonly disclosureId: string }>> {
  const range = checkRange(query);
  if (range !== null) return failWith(range);
  const { pack } = deps.policies.at(deps.clock().toISOString());
  const ask = {
    action: exporting === null ? ("analyse" as const) : ("disclose" as const),
    purpose: query.purpose,
    fields: purposeFields(pack, query.purpose),
    aggregate: exporting === null || exporting.level === "aggregate",
    ...(exporting === null ? {} : { recipient: exporting.recipient }),
  };
  return use(deps, acting, { nobody: true }, ask, async (scope) => {
    const analytics = scope.pack.analytics;
    const epsilon = query.epsilon ?? analytics?.noise_epsilon ?? null;
    const budget = analytics?.epsilon_budget ?? DEFAULT_EPSILON_BUDGET;
    if (epsilon !== null) {
      for (const period of periodsOf(query.from, query.to)) {
        const spent = await lockedSpent(scope.trx, query.site, period);
        if (spent + epsilon > budget + 1e-9) {
          return failWith(
            new PledgeError(
              "PLEDGE_ANALYTICS_BUDGET_EXHAUSTED",
              `the report would spend ε ${epsilon} of site ${query.site}'s budget for ${period}, ` +
                `of which ${round(budget - spent)} of ${budget} is left`,
              analytics?.clauses ?? [],
            ),
          );
        }
        await recordSpend(scope.trx, {
          site: query.site,
          period,
          epsilon,
          purpose: query.purpose,
          actor: auditActor(acting.actor),
          at: scope.now,
        });
      }
    }
    const noise = epsilon === null ? null : { epsilon, uniform: deps.uniform ?? Math.random };
    const days = await buildReport(scope.trx, query, analytics?.min_cohort ?? null, noise);
    const disclosureId = exporting === null ? "" : await ledgerWrite(scope, "aggregate", []);
    scope.record({
      type: "analytics.reported",
      at: scope.now,
      actor: auditActor(acting.actor),
      subjectId: null,
      payload: {
        site: query.site,
        from: query.from,
        to: query.to,
        purpose: query.purpose,
        recipient: exporting?.recipient ?? null,
        epsilon,
        days: days.length,
        withheldDays: days.filter((d) => d.withheld).length,
      },
    });
    const periods: BudgetPeriod[] = [];
    for (const period of periodsOf(query.from, query.to)) {
      const spent = round(await spentIn(scope.trx, query.site, period));
      periods.push({ period, spent, left: round(Math.max(0, budget - spent)) });
    }
    return ok({
      site: query.site,
      from: query.from,
      to: query.to,
      minCohort: analytics?.min_cohort ?? null,
      epsilon,
      budget: { limit: budget, periods },
      days,
      disclosureId,
    });
  });
}

/** The fields of the categories a purpose allows: what a site report processes under it. */
export function purposeFields(pack: PolicyPack, purpose: string): string[] {
  const p = pack.purposes.find((x) => x.id === purpose);
  if (p === undefined) return [];
  const categories = new Set(p.categories);
  return pack.categories.filter((c) => categories.has(c.id)).flatMap((c) => c.fields);
}

function checkRange(q: ReportQuery): PledgeError | null {
  if (q.epsilon !== undefined && !(q.epsilon > 0 && q.epsilon <= 10)) {
    return new PledgeError("PLEDGE_VALIDATION_FAILED", "`epsilon` must be above 0 and at most 10");
  }
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) {
    return new PledgeError("PLEDGE_ANALYTICS_RANGE_INVALID", "`from` must be a day on or before `to`");
  }
  if ((to - from) / 86_400_000 + 1 > MAX_REPORT_DAYS) {
    return new PledgeError(
      "PLEDGE_ANALYTICS_RANGE_INVALID",
      `a report covers at most ${MAX_REPORT_DAYS} days`,
    );
  }
  return null;
}

function periodsOf(from: string, to: string): string[] {
  const periods: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000) {
    const p = periodOf(dayOf(new Date(t)));
    if (periods.at(-1) !== p) periods.push(p);
  }
  return periods;
}

const round = (n: number): number => Math.round(Math.max(0, n) * 1e6) / 1e6;
