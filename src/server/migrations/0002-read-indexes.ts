import type { Kysely, Migration } from 'kysely';
import { runStatements } from '../../store/migrations/run-statements.ts';

/**
 * Indexes the web application's reads need on store tables: families by office (lists,
 * overview), staff by office and questionnaire responses by respondent (the family record). The
 * store's own migrations index what the store's writes need; these are the server's, so they
 * carry its prefix and come with its migrations.
 *
 * @example
 * await readIndexesMigration.up(db);
 */
export const readIndexesMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      'create index if not exists server_family_office on family (office_id)',
      'create index if not exists server_staff_member_office on staff_member (office_id)',
      'create index if not exists server_response_respondent on questionnaire_response (respondent_id, respondent_type)',
    ]);
  },
};
