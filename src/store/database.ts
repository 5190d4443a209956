import type { AuditTables } from "../audit/audit.table.ts";
import type { FactsTables } from "../gate/facts.table.ts";
import type { StaffTables } from "../modules/staff/staff.table.ts";
import type { IdentityTables } from "../modules/subjects/identities.table.ts";

/** Every table Pledge keeps, as Kysely sees them. Each module declares its own tables. */
export interface Database extends AuditTables, StaffTables, FactsTables, IdentityTables {}
