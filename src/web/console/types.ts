/** What the console knows of the person using it: GET /v1/console/me. */
export interface Me {
  readonly staffId: string;
  readonly displayName: string;
  readonly role: string;
  readonly attestedAt: string | null;
  readonly attestation: {
    readonly required: boolean;
    readonly clauses: readonly { readonly id: string; readonly title: string; readonly text: string }[];
  };
  /** The purposes the member's role may work for (every purpose for admin). */
  readonly purposes: readonly string[];
  /** The roles a staff member can be given: the pack's, then admin. */
  readonly roles: readonly { readonly id: string; readonly name: string }[];
  readonly csrfToken: string | null;
}

/** The part of GET /v1/policy the console uses. */
export interface PolicyInfo {
  readonly name: string;
  readonly colour: string;
  readonly version: string;
  readonly purposes: readonly {
    readonly id: string;
    readonly name?: string;
    readonly channels: readonly string[];
    readonly clauses: readonly string[];
  }[];
  readonly topics: readonly {
    readonly id: string;
    readonly name: string;
    readonly purpose: string;
    readonly channels: readonly string[];
  }[];
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}
