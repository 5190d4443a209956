import { jsonObjectFrom } from "kysely/helpers/postgres";
import { sectionQuery, subquery, type SubjectSection } from "../subjects/sections.ts";
import { accountDates, deleteAccount } from "./customers.repository.ts";
import { deleteSessionsOf } from "./sessions.ts";

/**
 * The account in a subject's access export and erasure. The export tells the person that an
 * account exists and when it was used (dates only: the password hash is a credential, and a
 * session id would sign the reader in). Erasure deletes the account and ends every session.
 */
export const customerAccountSection: SubjectSection = {
  name: "account",
  fields: [],
  async export(trx, subjectId) {
    const dates = await accountDates(trx, subjectId);
    if (dates === null) return null;
    return {
      createdAt: new Date(dates.createdAt).toISOString(),
      passwordChangedAt: new Date(dates.passwordChangedAt).toISOString(),
      lastSigninAt: dates.lastSigninAt === null ? null : new Date(dates.lastSigninAt).toISOString(),
    };
  },
  query: sectionQuery<{ createdAt: string; passwordChangedAt: string; lastSigninAt: string | null } | null>(
    (subjectId) =>
      jsonObjectFrom(
        subquery
          .selectFrom("customer_accounts")
          .where("subject_id", "=", subjectId)
          .select([
            "created_at as createdAt",
            "password_changed_at as passwordChangedAt",
            "last_signin_at as lastSigninAt",
          ]),
      ),
    (dates) =>
      dates === null
        ? null
        : {
            createdAt: new Date(dates.createdAt).toISOString(),
            passwordChangedAt: new Date(dates.passwordChangedAt).toISOString(),
            lastSigninAt: dates.lastSigninAt === null ? null : new Date(dates.lastSigninAt).toISOString(),
          },
  ),
  async erase(trx, subjectId) {
    const sessions = await deleteSessionsOf(trx, subjectId);
    const accounts = await deleteAccount(trx, subjectId);
    return { deleted: sessions + accounts, kept: 0 };
  },
};
