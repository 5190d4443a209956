import type { FastifyInstance } from "fastify";
import { PledgeError } from "../errors.ts";
import type { PolicyBook } from "../policy/book.ts";
import { DIFF_AREAS, diffPolicies } from "../policy/diff.ts";
import { publicPolicyView } from "../policy/public-view.ts";

export interface PolicyViewRoutesOptions {
  readonly book: PolicyBook;
  readonly clock: () => Date;
}

const strings = { type: "array", items: { type: "string" } } as const;
const obj = (properties: Record<string, unknown>) =>
  ({ type: "object", additionalProperties: false, required: Object.keys(properties), properties }) as const;
const clauses = strings;

const policyView = obj({
  company: { type: "string" },
  name: { type: "string", description: "the company's public name" },
  version: { type: "string" },
  effectiveFrom: { type: "string", format: "date-time" },
  lastUpdated: { type: "string" },
  colour: { type: "string", description: "the company's colour, #rrggbb; white text contrasts with it" },
  jurisdictions: strings,
  minimumAge: { anyOf: [{ type: "null" }, obj({ years: { type: "integer" }, clauses })] },
  accounts: {
    anyOf: [{ type: "null" }, obj({ clauses, fields: strings })],
    description: "null: no customer accounts; fields: the record fields a customer's own account reaches",
  },
  purposes: {
    type: "array",
    items: obj({
      id: { type: "string" },
      name: { type: "string" },
      basis: { type: "string" },
      channels: strings,
      marketing: { type: "boolean" },
      clauses,
    }),
  },
  topics: {
    type: "array",
    items: obj({
      id: { type: "string" },
      name: { type: "string" },
      purpose: { type: "string" },
      channels: strings,
      clauses,
    }),
  },
  channelOptOuts: {
    type: "array",
    items: obj({ channel: { type: "string" }, scope: { type: "string" }, clauses }),
  },
  sharing: { type: "array", items: obj({ scope: { type: "string" }, recipients: strings, clauses }) },
  sale: obj({ allowed: { type: "string", enum: ["never", "with_permission"] }, clauses }),
  clauses: {
    type: "array",
    items: obj({ id: { type: "string" }, title: { type: "string" }, text: { type: "string" } }),
  },
  versions: {
    type: "array",
    description: "every version that has taken effect, oldest first",
    items: obj({
      version: { type: "string" },
      effectiveFrom: { type: "string", format: "date-time" },
      lastUpdated: { type: "string" },
      inForce: { type: "boolean" },
    }),
  },
});

const changesView = obj({
  from: { type: "string" },
  to: { type: "string" },
  material: { type: "boolean", description: "whether any change is material" },
  changes: {
    type: "array",
    items: obj({
      area: { type: "string", enum: DIFF_AREAS },
      id: { type: "string" },
      kind: { type: "string", enum: ["added", "removed", "changed"] },
      detail: { type: "string" },
      material: { type: "boolean" },
      why: { type: ["string", "null"] },
    }),
  },
});

/**
 * `GET /v1/policy`: the policy in force (or `?version=`, one that has taken effect) as the privacy
 * center shows it: the company's name and colour, each clause's public wording, and the choices a
 * person can make with the clauses behind them (src/policy/public-view.ts), and the list of every
 * version that has taken effect. Public: nobody's data.
 */
export async function policyViewRoutes(app: FastifyInstance, opts: PolicyViewRoutesOptions): Promise<void> {
  const { book, clock } = opts;
  app.get<{ Querystring: { version?: string } }>(
    "/v1/policy",
    {
      config: { use: { callers: { public: true }, personal: false } },
      schema: {
        tags: ["policy"],
        summary: "The policy in force, or one earlier version, as the privacy center shows it",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { version: { type: "string", maxLength: 100 } },
        },
        response: { 200: policyView, 404: { $ref: "Problem#" } },
      },
    },
    async (request, reply) => {
      const now = clock().getTime();
      const visible = book.history.versions.filter((v) => v.from <= now);
      const wanted = request.query.version;
      const entry = wanted === undefined ? visible.at(-1) : visible.find((v) => v.pack.version === wanted);
      if (entry === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such policy version");
      void reply.header("cache-control", "no-cache");
      const current = visible.at(-1);
      return {
        ...publicPolicyView(entry.pack, new Date(entry.from).toISOString()),
        versions: visible.map((v) => ({
          version: v.pack.version,
          effectiveFrom: new Date(v.from).toISOString(),
          lastUpdated: v.pack.last_updated,
          inForce: v === current,
        })),
      };
    },
  );

  app.get<{ Querystring: { from: string; to: string } }>(
    "/v1/policy/changes",
    {
      config: { use: { callers: { public: true }, personal: false } },
      schema: {
        tags: ["policy"],
        summary: "What changed between two versions of the policy, each change marked material or not",
        description:
          "Both versions must have taken effect. A material change lets the company do more with a person's data or takes a protection away (docs/policy-versions.md); `why` says which rule makes it so.",
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["from", "to"],
          properties: { from: { type: "string", maxLength: 100 }, to: { type: "string", maxLength: 100 } },
        },
        response: { 200: changesView, 404: { $ref: "Problem#" } },
      },
    },
    async (request, reply) => {
      const now = clock().getTime();
      const visible = book.history.versions.filter((v) => v.from <= now);
      const find = (version: string) => {
        const entry = visible.find((v) => v.pack.version === version);
        if (entry === undefined) throw new PledgeError("PLEDGE_NOT_FOUND", "no such policy version");
        return entry.pack;
      };
      const diff = diffPolicies(find(request.query.from), find(request.query.to));
      void reply.header("cache-control", "no-cache");
      return {
        from: diff.from.version,
        to: diff.to.version,
        material: diff.material,
        changes: diff.changes.map((c) => ({ ...c, why: c.why ?? null })),
      };
    },
  );
}
