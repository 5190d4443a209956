// Placeholder replaced by the staff tables.
export interface StaffTables {}
