import type { ColumnType } from "kysely";

type Fixed<T> = ColumnType<T, T, never>;

/** One answer to one survey question (`survey_answers`, encrypted), with where it was given (Z16-02). */
export interface SurveyAnswersTable {
  subject_id: Fixed<string>;
  survey_id: Fixed<string>;
  question_id: Fixed<string>;
  answer_enc: string;
  collection_point: string;
  purpose: string;
  policy_version: string;
  collected_at: Date;
}

/** A request for a quote (`quote_requests`, encrypted), with where it was given (Z16-02, Z19-01). */
export interface QuoteRequestsTable {
  subject_id: Fixed<string>;
  quote_id: Fixed<string>;
  details_enc: Fixed<string>;
  collection_point: Fixed<string>;
  purpose: Fixed<string>;
  policy_version: Fixed<string>;
  collected_at: Fixed<Date>;
}

export interface SurveyTables {
  survey_answers: SurveyAnswersTable;
  quote_requests: QuoteRequestsTable;
}
