import type { Kysely, Migration } from 'kysely';
import { notPersonalId, runStatements } from './run-statements.ts';

/**
 * Families and their household members (pseudonyms only, enforced by CHECK), eligibility results,
 * the within-office draw, and enrolment with consent.
 *
 * @example
 * await migration0003.up(db);
 */
export const migration0003: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the schema of their time.
  async up(db: Kysely<any>) {
    await runStatements(db, [
      `create table family (
         id text primary key,
         office_id text not null references office (id),
         pseudonym text not null unique check (length(pseudonym) > 0 and ${notPersonalId('pseudonym')}),
         created_at timestamptz not null default now()
       )`,
      `create table family_member (
         family_id text not null references family (id),
         pseudonym text not null check (length(pseudonym) > 0 and ${notPersonalId('pseudonym')}),
         role text not null check (role in ('adult', 'child')),
         birth_year integer check (birth_year between 1900 and 2100),
         primary key (family_id, pseudonym)
       )`,
      `create table eligibility (
         family_id text primary key references family (id),
         eligible boolean not null,
         rule text not null check (length(rule) > 0),
         reasons jsonb not null check (jsonb_typeof(reasons) = 'array'),
         decided_at timestamptz not null
       )`,
      `create table family_draw (
         family_id text primary key references family (id),
         office_id text not null references office (id),
         draw_group text not null check (draw_group in ('drawn', 'comparison')),
         drawn_at timestamptz not null
       )`,
      `create table enrolment (
         family_id text primary key references family (id),
         status text not null check (status in ('invited', 'consented', 'declined', 'enrolled', 'withdrawn')),
         consent_date date,
         enrolled_date date,
         withdrawn_date date,
         updated_at timestamptz not null,
         check (status not in ('consented', 'enrolled') or consent_date is not null),
         check (status <> 'enrolled' or enrolled_date is not null),
         check (status <> 'withdrawn' or withdrawn_date is not null)
       )`,
    ]);
  },
};
