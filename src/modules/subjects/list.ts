import { normaliseEmail, normalisePhone } from "../../crypto/normalise.ts";
import type { Acting } from "../../use/acting.ts";
import { use } from "../../use/kernel.ts";
import { fail, ok, type Result } from "../../use/refusal.ts";
import type { SubjectsDeps } from "./subjects.service.ts";
import type { SubjectStatus } from "./subjects.ts";

/**
 * Lists of subjects carry no personal values: ids, status, jurisdiction, times, version. A
 * lookup by email or phone goes through the blind index; the value arrives in a request body,
 * never in a URL, and each match is a `read` of that identity field, audited, that the gate must
 * allow for the person (otherwise the match is left out, as if there were none).
 */
export interface SubjectSummary {
  readonly id: string;
  readonly status: SubjectStatus;
  readonly jurisdiction: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ListSubjectsInput {
  readonly status?: SubjectStatus;
  readonly jurisdiction?: string;
  readonly createdFrom?: string;
  readonly createdTo?: string;
  readonly limit: number;
  /** The last item of the previous page. */
  readonly after?: { readonly createdAt: string; readonly id: string };
}

export async function listSubjects(
  deps: SubjectsDeps,
  input: ListSubjectsInput,
): Promise<{ items: SubjectSummary[]; more: boolean }> {
  let q = deps.db
    .selectFrom("subjects")
    .where("erased_at", "is", null)
    .select(["subject_id", "status", "jurisdiction", "version", "created_at", "updated_at"])
    .orderBy("created_at")
    .orderBy("subject_id")
    .limit(input.limit + 1);
  if (input.status !== undefined) q = q.where("status", "=", input.status);
  if (input.jurisdiction !== undefined) q = q.where("jurisdiction", "=", input.jurisdiction);
  if (input.createdFrom !== undefined) q = q.where("created_at", ">=", new Date(input.createdFrom));
  if (input.createdTo !== undefined) q = q.where("created_at", "<", new Date(input.createdTo));
  const after = input.after;
  if (after !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb("created_at", ">", new Date(after.createdAt)),
        eb.and([eb("created_at", "=", new Date(after.createdAt)), eb("subject_id", ">", after.id)]),
      ]),
    );
  }
  const rows = await q.execute();
  return { items: rows.slice(0, input.limit).map(summaryOf), more: rows.length > input.limit };
}

function summaryOf(r: {
  subject_id: string;
  status: SubjectStatus;
  jurisdiction: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}): SubjectSummary {
  return {
    id: r.subject_id,
    status: r.status,
    jurisdiction: r.jurisdiction,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** Finds the subjects holding an email or phone number, for a stated purpose. */
export async function searchSubjects(
  deps: SubjectsDeps,
  acting: Acting,
  input: { readonly purpose: string; readonly email?: string; readonly phone?: string },
): Promise<Result<SubjectSummary[]>> {
  const kind = input.email !== undefined ? "email" : "phone";
  const raw = input.email ?? input.phone ?? "";
  const n = kind === "email" ? normaliseEmail(raw) : normalisePhone(raw);
  if (!n.ok)
    return fail({
      kind: "invalid",
      errors: [{ path: kind, code: n.code as "PLEDGE_INVALID_EMAIL", detail: n.detail }],
    });
  const matches = await deps.db
    .selectFrom("subject_identities")
    .where("kind", "=", kind)
    .where("blind_index", "=", deps.vault.blindIndex(kind, n.value))
    .select("subject_id")
    .execute();
  const found: SubjectSummary[] = [];
  for (const { subject_id } of matches) {
    const ask = { action: "read" as const, purpose: input.purpose, fields: [kind] };
    const r = await use(deps, acting, { subject: subject_id }, ask, async ({ subject }) =>
      ok(
        summaryOf({
          subject_id: subject!.subjectId,
          status: subject!.status,
          jurisdiction: subject!.jurisdiction,
          version: subject!.version,
          created_at: subject!.createdAt,
          updated_at: subject!.updatedAt,
        }),
      ),
    );
    if (r.ok) found.push(r.value);
    else if (r.kind !== "not_found") return r;
  }
  return ok(found);
}
