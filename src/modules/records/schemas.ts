/** JSON schemas the record routes (orders, services, payments, communications, surveys) share. */
export const subjectParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

export const errorResponses = {
  400: { $ref: "Problem#" },
  401: { $ref: "Problem#" },
  403: { $ref: "Problem#" },
  404: { $ref: "Problem#" },
} as const;

/** A status move under If-Match: also a move the table refuses, a stale version, no If-Match. */
export const moveErrorResponses = {
  ...errorResponses,
  409: { $ref: "Problem#" },
  412: { $ref: "Problem#" },
  428: { $ref: "Problem#" },
} as const;
