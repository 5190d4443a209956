import { sql, type Kysely } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { PledgeError } from "../../errors.ts";
import type { PolicyPack } from "../../policy/schema.ts";
import type { Database } from "../../store/database.ts";
import "./disclosures.events.ts";
import { contractOnFile } from "./ledger.ts";

/**
 * The recipient registry: what the pack in force says each recipient may receive (kind,
 * categories, purposes, requirements), beside what the company keeps on file about it (legal
 * name, business address, contract reference and dates). `contractOnFile` is the gate fact.
 */
export interface RecipientView {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly categories: readonly string[];
  readonly purposes: readonly string[];
  readonly requires: readonly string[];
  readonly optOutScope: string | null;
  readonly singleSubject: boolean;
  readonly clauses: readonly string[];
  readonly onFile: {
    readonly legalName: string;
    readonly address: string;
    readonly contractRef: string | null;
    readonly contractSignedOn: string | null;
    readonly contractExpiresOn: string | null;
    readonly updatedAt: string;
  } | null;
  readonly contractOnFile: boolean;
}

export interface RecipientUpdate {
  readonly legalName: string;
  readonly address: string;
  readonly contractRef?: string | null;
  readonly contractSignedOn?: string | null;
  readonly contractExpiresOn?: string | null;
}

export async function listRecipients(
  db: Kysely<Database>,
  pack: PolicyPack,
  at: Date,
): Promise<RecipientView[]> {
  // Dates as text: drivers turn a `date` into a Date at different midnights.
  const rows = await db
    .selectFrom("recipient_registry")
    .select([
      "recipient_id",
      "legal_name",
      "address",
      "contract_ref",
      "updated_at",
      sql<string | null>`to_char(contract_signed_on, 'YYYY-MM-DD')`.as("signed"),
      sql<string | null>`to_char(contract_expires_on, 'YYYY-MM-DD')`.as("expires"),
    ])
    .execute();
  const onFile = new Map(rows.map((r) => [r.recipient_id, r]));
  const out: RecipientView[] = [];
  for (const r of pack.recipients) {
    const row = onFile.get(r.id);
    out.push({
      id: r.id,
      name: r.name,
      kind: r.kind,
      categories: r.categories,
      purposes: r.purposes,
      requires: r.requires,
      optOutScope: r.opt_out_scope ?? null,
      singleSubject: r.single_subject,
      clauses: r.clauses,
      onFile:
        row === undefined
          ? null
          : {
              legalName: row.legal_name,
              address: row.address,
              contractRef: row.contract_ref,
              contractSignedOn: row.signed,
              contractExpiresOn: row.expires,
              updatedAt: new Date(row.updated_at).toISOString(),
            },
      contractOnFile: await contractOnFile(db, r.id, at),
    });
  }
  return out;
}

/** Records what is on file about a recipient of the pack in force; audited. */
export async function updateRecipient(
  db: Kysely<Database>,
  pack: PolicyPack,
  recipientId: string,
  input: RecipientUpdate,
  actor: string,
  now: Date,
): Promise<RecipientView> {
  if (!pack.recipients.some((r) => r.id === recipientId)) {
    throw new PledgeError("PLEDGE_NOT_FOUND", `recipient ${recipientId} is not in the policy in force`);
  }
  const signed = input.contractSignedOn ?? null;
  const expires = input.contractExpiresOn ?? null;
  const ref = input.contractRef ?? null;
  if (ref !== null && signed === null) {
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "a contract reference needs the date it was signed");
  }
  if (signed !== null && expires !== null && expires < signed) {
    throw new PledgeError("PLEDGE_VALIDATION_FAILED", "the contract expires before it was signed");
  }
  const values = {
    legal_name: input.legalName,
    address: input.address,
    contract_ref: ref,
    contract_signed_on: signed,
    contract_expires_on: expires,
    updated_at: now,
    updated_by: actor,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("recipient_registry")
      .values({ recipient_id: recipientId, ...values })
      .onConflict((oc) => oc.column("recipient_id").doUpdateSet(values))
      .execute();
    await appendAudit(trx, [
      {
        type: "recipient.updated",
        at: now,
        actor,
        subjectId: null,
        payload: { recipientId, contractRef: ref !== null, signedOn: signed, expiresOn: expires },
      },
    ]);
  });
  const view = (await listRecipients(db, pack, now)).find((r) => r.id === recipientId);
  if (view === undefined) throw new Error(`recipient ${recipientId} vanished`);
  return view;
}
