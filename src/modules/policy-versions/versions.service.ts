import type { Kysely } from "kysely";
import { appendAudit } from "../../audit/append.ts";
import { mergeVersions } from "../../policy/book.ts";
import type { Database } from "../../store/database.ts";
import type { PolicyChange } from "../../policy/diff.ts";
import { preparePublication, storedSource, type Publication } from "../../policy/publish.ts";
import { insertVersion, listStored, lockVersions, setAnnouncement } from "./versions.repository.ts";
import type { PublishedSync } from "./versions.sync.ts";
import type { PolicyPack } from "../../policy/schema.ts";

/**
 * Publishing a policy version while Pledge runs (PS-10, Z19-08). Checks the pack against every
 * version known (files and store, read under the publication lock), stores it with its
 * `policy.published` audit event in one transaction, adds it to this node's book at once (other
 * nodes poll), then, when `pledge policy diff` finds a material change, announces it.
 */

export interface Announcement {
  /** The policy-change campaign started; null when none was. */
  readonly campaignId: string | null;
  /** Messages queued for sending. */
  readonly queued: number;
  /** Why, in plain words: ids and clauses only. */
  readonly note: string;
}

/**
 * Announces a material change to every contactable customer: creates and starts a
 * `policy_change` campaign. `current` is the version in force now (the message is sent under
 * it); `next` is the version announced.
 */
export type Announcer = (input: {
  readonly current: PolicyPack;
  readonly next: PolicyPack;
  readonly effectiveAt: Date;
  readonly changes: readonly PolicyChange[];
  readonly actor: string;
}) => Promise<Announcement>;

export interface PublishDeps {
  readonly db: Kysely<Database>;
  readonly sync: PublishedSync;
  readonly clock: () => Date;
  readonly region: string;
  /** Absent: a material change is recorded but announced by nobody (the result says so). */
  readonly announce?: Announcer;
}

export interface PublishResult {
  readonly company: string;
  readonly version: string;
  readonly effectiveFrom: Date;
  readonly publishedAt: Date;
  readonly lastUpdated: string;
  /** The version it follows; null for a company's first version. */
  readonly follows: string | null;
  readonly material: boolean;
  readonly changes: readonly PolicyChange[];
  readonly announcement: Announcement;
}

export async function publishPolicy(
  deps: PublishDeps,
  input: { readonly yaml: string; readonly actor: string; readonly source?: string },
): Promise<PublishResult> {
  const now = deps.clock();
  const { book } = deps.sync;
  const publication = await deps.db.transaction().execute(async (trx): Promise<Publication> => {
    await lockVersions(trx);
    const stored = deps.sync.toVersions(await listStored(trx, book.files.company));
    const history = mergeVersions(book.files, stored);
    const p = preparePublication(history, input.yaml, now, {
      source: input.source ?? "policy",
      region: deps.region,
    });
    await insertVersion(trx, {
      company: p.pack.company,
      version: p.pack.version,
      yaml: p.yaml,
      sha256: p.sha256,
      effectiveAt: p.effectiveAt,
      publishedAt: now,
      publishedBy: input.actor,
      material: p.diff?.material ?? false,
    });
    await appendAudit(trx, [
      {
        type: "policy.published",
        at: now,
        actor: input.actor,
        subjectId: null,
        payload: {
          company: p.pack.company,
          version: p.pack.version,
          effectiveFrom: p.effectiveAt.toISOString(),
        },
      },
    ]);
    return p;
  });
  deps.sync.add(
    {
      pack: publication.pack,
      file: storedSource(publication.pack.version),
      from: publication.effectiveAt.getTime(),
    },
    publication.sha256,
  );

  const material = publication.diff?.material ?? false;
  const announcement = await announceIfMaterial(deps, publication, input.actor);
  if (announcement.campaignId !== null) {
    await setAnnouncement(
      deps.db,
      publication.pack.company,
      publication.pack.version,
      announcement.campaignId,
    );
  }
  return {
    company: publication.pack.company,
    version: publication.pack.version,
    effectiveFrom: publication.effectiveAt,
    publishedAt: now,
    lastUpdated: publication.pack.last_updated,
    follows: publication.previous?.version ?? null,
    material,
    changes: publication.diff?.changes ?? [],
    announcement,
  };
}

async function announceIfMaterial(deps: PublishDeps, p: Publication, actor: string): Promise<Announcement> {
  if (p.previous === null || p.diff === null) {
    return { campaignId: null, queued: 0, note: "the company's first version: there is nothing to compare" };
  }
  if (!p.diff.material) {
    return { campaignId: null, queued: 0, note: "no material change: nothing is sent" };
  }
  if (deps.announce === undefined) {
    return { campaignId: null, queued: 0, note: "material change: no announcer is configured here" };
  }
  const current = deps.sync.book.at(deps.clock().toISOString()).pack;
  return deps.announce({
    current,
    next: p.pack,
    effectiveAt: p.effectiveAt,
    changes: p.diff.changes.filter((c) => c.material),
    actor,
  });
}
