// Placeholder replaced by the subject-facts tables the SQL compiler reads.
export interface FactsTables {}
