import { SUBJECT_STATUSES } from "../../gate/types.ts";
import { ADDRESS_KINDS, PROFILE_FIELDS, RECORD_FIELDS } from "./subjects.ts";

/**
 * JSON schemas of /v1/subjects. Response schemas list every property (additionalProperties
 * false): the serializer writes nothing else, so a response cannot carry more than the gate
 * allowed. Purposes, collection points and ids travel in URLs; personal values never do.
 */
const ID = "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$";
const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max }) as const;
const obj = (required: readonly string[], properties: Record<string, unknown>) =>
  ({ type: "object", additionalProperties: false, required, properties }) as const;

export const purpose = {
  type: "string",
  pattern: ID,
  maxLength: 200,
  description: "a purpose id from the pack",
} as const;
export const collectionPoint = {
  type: "string",
  pattern: "^[a-z0-9][a-z0-9_.:/-]*$",
  maxLength: 200,
  description: "where the data was given, e.g. web.signup, phone.billing, import.2024-05",
} as const;
export const uuid = { type: "string", format: "uuid" } as const;
/** Where a person lives: a country (DE) or a subdivision (US-CA), any case; stored folded (src/policy/jurisdiction.ts). */
const JURISDICTION = { type: "string", pattern: "^[A-Za-z]{2}([-_ ][A-Za-z0-9]{1,3})?$" } as const;
const JURISDICTION_OR_NULL = { ...JURISDICTION, type: ["string", "null"] } as const;
export const subjectParams = obj(["id"], { id: uuid });
export const purposeQuery = obj(["purpose"], { purpose });

const profileInput = (nullable: boolean) =>
  obj(
    [],
    Object.fromEntries(
      PROFILE_FIELDS.map((f) => [
        f,
        nullable ? { type: ["string", "null"], minLength: 1, maxLength: 500 } : text(500),
      ]),
    ),
  );

export const addressInput = obj(["line1", "city", "postalCode", "country"], {
  name: { type: ["string", "null"], maxLength: 200 },
  line1: text(200),
  line2: { type: ["string", "null"], maxLength: 200 },
  city: text(100),
  region: { type: ["string", "null"], maxLength: 100 },
  postalCode: text(20),
  country: { type: "string", pattern: "^[A-Za-z]{2}$" },
});

export const createBody = obj(["status", "purpose", "collectionPoint", "fields"], {
  status: { type: "string", enum: SUBJECT_STATUSES },
  purpose,
  collectionPoint,
  birthDate: { type: ["string", "null"], format: "date" },
  jurisdiction: JURISDICTION_OR_NULL,
  fields: profileInput(false),
  addresses: {
    type: "array",
    maxItems: 20,
    items: {
      ...addressInput,
      required: [...addressInput.required, "kind"],
      properties: { ...addressInput.properties, kind: { type: "string", enum: ADDRESS_KINDS } },
    },
  },
});

export const updateBody = obj(["purpose", "collectionPoint"], {
  purpose,
  collectionPoint,
  fields: profileInput(true),
  status: { type: "string", enum: SUBJECT_STATUSES },
  jurisdiction: JURISDICTION_OR_NULL,
});

export const readQuery = obj(["purpose"], {
  purpose,
  fields: {
    type: "string",
    pattern: "^[a-z_]+(,[a-z_]+)*$",
    maxLength: 1000,
    description: `comma-separated; default: every field of the record the purpose allows (${RECORD_FIELDS.join(", ")})`,
  },
});

const provenance = {
  collectionPoint: { type: "string" },
  purpose: { type: "string" },
  collectedAt: { type: "string", format: "date-time" },
  policyVersion: { type: "string" },
};
export const provenanceSchema = obj(Object.keys(provenance), provenance);
const fieldValue = obj(["value", ...Object.keys(provenance)], { value: { type: "string" }, ...provenance });

export const addressRecord = obj(["addressId", "kind", "address", "provenance"], {
  addressId: uuid,
  kind: { type: "string", enum: ADDRESS_KINDS },
  address: obj(["name", "line1", "line2", "city", "region", "postalCode", "country"], {
    name: { type: ["string", "null"] },
    line1: { type: "string" },
    line2: { type: ["string", "null"] },
    city: { type: "string" },
    region: { type: ["string", "null"] },
    postalCode: { type: "string" },
    country: { type: "string" },
  }),
  provenance: provenanceSchema,
});

export const metadata = {
  id: uuid,
  status: { type: "string", enum: SUBJECT_STATUSES },
  version: { type: "integer" },
  createdAt: { type: "string", format: "date-time" },
  updatedAt: { type: "string", format: "date-time" },
};

export const subjectView = obj([...Object.keys(metadata), "fields", "addresses", "decision"], {
  ...metadata,
  fields: obj([], Object.fromEntries(["customer_number", ...PROFILE_FIELDS].map((f) => [f, fieldValue]))),
  addresses: { type: "array", items: addressRecord },
  decision: obj(["outcome", "fields", "removed", "withheld", "clauses", "policy"], {
    outcome: { type: "string", enum: ["allow", "partial"] },
    fields: { type: "array", items: { type: "string" } },
    removed: { type: "array", items: { type: "string" } },
    withheld: {
      type: "array",
      description:
        "each removed field with the gate's reason (naming the purpose or recipient) and its clause",
      items: obj(["field", "reason", "clause"], {
        field: { type: "string" },
        reason: { type: "string" },
        clause: { type: ["string", "null"] },
      }),
    },
    clauses: { type: "array", items: { type: "string" } },
    policy: obj(["company", "version"], { company: { type: "string" }, version: { type: "string" } }),
  }),
});

export const subjectSummary = obj(["id", "status", "jurisdiction", "version", "createdAt", "updatedAt"], {
  ...metadata,
  jurisdiction: { type: ["string", "null"] },
});

export const created = obj(["id", "status", "version", "createdAt", "fields"], {
  id: uuid,
  status: { type: "string", enum: SUBJECT_STATUSES },
  version: { type: "integer" },
  createdAt: { type: "string", format: "date-time" },
  fields: { type: "array", items: { type: "string" }, description: "names of the fields collected" },
});

export const updated = obj(["id", "version", "fields"], {
  id: uuid,
  version: { type: "integer" },
  fields: { type: "array", items: { type: "string" }, description: "names of the fields changed" },
});

export const listQuery = obj([], {
  status: { type: "string", enum: SUBJECT_STATUSES },
  jurisdiction: JURISDICTION,
  createdFrom: { type: "string", format: "date-time" },
  createdTo: { type: "string", format: "date-time" },
});

export const searchBody = {
  ...obj(["purpose"], { purpose, email: text(320), phone: text(40) }),
  oneOf: [{ required: ["email"] }, { required: ["phone"] }],
} as const;

export const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { $ref: "Problem#" }]));

/** An export of a person's record: for a purpose (projected), or the person's own (whole). */
export const exportSchema = obj(["id", "exportedAt", "policy", "clauses", "fields", "sections"], {
  id: uuid,
  exportedAt: { type: "string", format: "date-time" },
  policy: obj(["company", "version"], { company: { type: "string" }, version: { type: "string" } }),
  clauses: { type: "array", items: { type: "string" } },
  fields: {
    type: "array",
    items: { type: "string" },
    description: "the record fields the export reaches; `*` for the person's own whole record",
  },
  sections: {
    type: "object",
    additionalProperties: true,
    description: "each section's own document; their shapes belong to their modules",
  },
});
