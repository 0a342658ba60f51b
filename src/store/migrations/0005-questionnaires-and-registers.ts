import type { Kysely, Migration } from 'kysely';
import { notPersonalId, runStatements } from './run-statements.ts';

/**
 * Instruments, questionnaire responses per wave, and register outcomes per person-month.
 *
 * @example
 * await migration0005.up(db);
 */
export const migration0005: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table instrument (
         id text primary key,
         key text not null,
         version text not null,
         name text not null,
         definition jsonb not null check (jsonb_typeof(definition) = 'object'),
         unique (key, version)
       )`,
      `create table questionnaire_response (
         id text primary key,
         trial_id text not null references trial (id),
         wave text not null check (wave in ('T1', 'T2', 'T3', 'T4', 'T5')),
         respondent_type text not null check (respondent_type in ('family', 'coordinator')),
         respondent_id text not null,
         instrument_id text not null references instrument (id),
         answers jsonb not null check (jsonb_typeof(answers) = 'object'),
         status text not null check (status in ('draft', 'submitted')),
         submitted_at timestamptz,
         updated_at timestamptz not null,
         unique (trial_id, wave, respondent_type, respondent_id, instrument_id),
         check ((status = 'submitted') = (submitted_at is not null))
       )`,
      `create table register_outcome (
         pseudonym text not null check (length(pseudonym) > 0 and ${notPersonalId('pseudonym')}),
         year integer not null check (year between 1900 and 2100),
         month integer not null check (month between 1 and 12),
         variables jsonb not null check (jsonb_typeof(variables) = 'object'),
         primary key (pseudonym, year, month)
       )`,
    ]);
  },
};
