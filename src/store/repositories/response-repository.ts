import type { Kysely } from 'kysely';
import { z } from 'zod';
import { TiltakError } from '../../stats/errors.ts';
import type { Instrument, QuestionnaireResponse, WaveKey } from '../../trial/types.ts';
import { toIso, writeAudited } from '../audit.ts';
import { newId } from '../ids.ts';
import type { Database } from '../schema.ts';
import { parseInput } from '../validate.ts';
import { getInstrument } from './instrument-repository.ts';
import { nonEmpty } from './zod-types.ts';

const responseSchema = z.object({
  trialId: nonEmpty,
  wave: z.enum(['T1', 'T2', 'T3', 'T4', 'T5']),
  respondentType: z.enum(['family', 'coordinator']),
  respondentId: nonEmpty,
  instrumentId: nonEmpty,
  answers: z.record(z.string(), z.number().int().nullable()),
});

/**
 * A questionnaire response as given to {@link saveResponseDraft}: `null` is "not answered yet";
 * a missing code is a deliberate non-answer.
 *
 * @example
 * const r: ResponseInput = { trialId, wave: 'T2', respondentType: 'family', respondentId: familyId, instrumentId, answers: { q1: 4, q2: null } };
 */
export type ResponseInput = z.input<typeof responseSchema>;

/**
 * Create or update the draft of a response (one per trial, wave, respondent and instrument).
 * Answers are checked against the instrument: known items, values on the scale or a missing code.
 * A submitted response is locked and can no longer be edited.
 *
 * @example
 * const draft = await saveResponseDraft(store.db, 'family:F-0001', { trialId, wave: 'T2', respondentType: 'family', respondentId: familyId, instrumentId, answers: { q1: 4 } });
 */
export async function saveResponseDraft(
  db: Kysely<Database>,
  actor: string,
  input: ResponseInput,
): Promise<QuestionnaireResponse> {
  const p = parseInput(responseSchema, input, 'questionnaire response');
  return writeAudited(
    db,
    { actor, action: 'save', entity: 'questionnaire_response' },
    async (trx) => {
      const wave = await trx
        .selectFrom('trial_wave')
        .select('key')
        .where('trial_id', '=', p.trialId)
        .where('key', '=', p.wave)
        .executeTakeFirst();
      if (wave === undefined)
        throw new TiltakError('NOT_FOUND', `trial ${p.trialId} has no wave ${p.wave}`);
      await assertRespondent(trx, p.respondentType, p.respondentId);
      const instrument = await getInstrument(trx, p.instrumentId);
      if (instrument === undefined)
        throw new TiltakError('NOT_FOUND', `instrument ${p.instrumentId} does not exist`);
      checkAnswers(instrument, p.answers);
      const existing = await trx
        .selectFrom('questionnaire_response')
        .selectAll()
        .where('trial_id', '=', p.trialId)
        .where('wave', '=', p.wave)
        .where('respondent_type', '=', p.respondentType)
        .where('respondent_id', '=', p.respondentId)
        .where('instrument_id', '=', p.instrumentId)
        .executeTakeFirst();
      if (existing?.status === 'submitted')
        throw new TiltakError(
          'RESPONSE_SUBMITTED',
          `response ${existing.id} is submitted and locked`,
        );
      const before = existing === undefined ? null : toResponse(existing);
      const after: QuestionnaireResponse = {
        id: existing?.id ?? newId(),
        ...p,
        status: 'draft',
        submittedAt: null,
      };
      if (existing === undefined)
        await trx
          .insertInto('questionnaire_response')
          .values({
            id: after.id,
            trial_id: p.trialId,
            wave: p.wave,
            respondent_type: p.respondentType,
            respondent_id: p.respondentId,
            instrument_id: p.instrumentId,
            answers: JSON.stringify(p.answers),
            status: 'draft',
            submitted_at: null,
            updated_at: new Date(),
          })
          .execute();
      else
        await trx
          .updateTable('questionnaire_response')
          .set({ answers: JSON.stringify(p.answers), updated_at: new Date() })
          .where('id', '=', existing.id)
          .execute();
      return { entityId: after.id, before, after, result: after };
    },
  );
}

/**
 * Submit a draft: every item must have an answer or a missing code. Submitted responses are locked.
 *
 * @example
 * await submitResponse(store.db, 'family:F-0001', responseId);
 */
export async function submitResponse(
  db: Kysely<Database>,
  actor: string,
  id: string,
): Promise<QuestionnaireResponse> {
  return writeAudited(
    db,
    { actor, action: 'submit', entity: 'questionnaire_response' },
    async (trx) => {
      const before = await getResponse(trx, id);
      if (before === undefined) throw new TiltakError('NOT_FOUND', `response ${id} does not exist`);
      if (before.status === 'submitted')
        throw new TiltakError('RESPONSE_SUBMITTED', `response ${id} is already submitted`);
      const instrument = await getInstrument(trx, before.instrumentId);
      const unanswered = (instrument?.items ?? [])
        .map((it) => it.id)
        .filter((item) => before.answers[item] === undefined || before.answers[item] === null);
      if (unanswered.length > 0)
        throw new TiltakError(
          'INCOMPLETE_RESPONSE',
          `response ${id} has no answer or missing code for: ${unanswered.join(', ')}`,
        );
      const submittedAt = new Date().toISOString();
      await trx
        .updateTable('questionnaire_response')
        .set({ status: 'submitted', submitted_at: submittedAt, updated_at: submittedAt })
        .where('id', '=', id)
        .execute();
      const after: QuestionnaireResponse = { ...before, status: 'submitted', submittedAt };
      return { entityId: id, before, after, result: after };
    },
  );
}

/**
 * A response by id, or `undefined`.
 *
 * @example
 * const r = await getResponse(store.db, id);
 */
export async function getResponse(
  db: Kysely<Database>,
  id: string,
): Promise<QuestionnaireResponse | undefined> {
  const r = await db
    .selectFrom('questionnaire_response')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return r === undefined ? undefined : toResponse(r);
}

async function assertRespondent(
  db: Kysely<Database>,
  type: 'family' | 'coordinator',
  id: string,
): Promise<void> {
  const found =
    type === 'family'
      ? await db.selectFrom('family').select('id').where('id', '=', id).executeTakeFirst()
      : await db
          .selectFrom('staff_member')
          .select('id')
          .where('id', '=', id)
          .where('role', '=', 'coordinator')
          .executeTakeFirst();
  if (found === undefined) throw new TiltakError('NOT_FOUND', `${type} ${id} does not exist`);
}

function checkAnswers(instrument: Instrument, answers: Record<string, number | null>): void {
  const items = new Set(instrument.items.map((i) => i.id));
  const { min, max } = instrument.responseScale;
  for (const [item, value] of Object.entries(answers)) {
    if (!items.has(item))
      throw new TiltakError('UNKNOWN_ITEM', `instrument '${instrument.key}' has no item '${item}'`);
    if (value === null || instrument.missingCodes.includes(value)) continue;
    if (value < min || value > max)
      throw new TiltakError(
        'ANSWER_OUT_OF_RANGE',
        `item '${item}': ${value} is outside the scale ${min}..${max} and not a missing code`,
      );
  }
}

function toResponse(r: {
  id: string;
  trial_id: string;
  wave: string;
  respondent_type: 'family' | 'coordinator';
  respondent_id: string;
  instrument_id: string;
  answers: unknown;
  status: 'draft' | 'submitted';
  submitted_at: Date | null;
}): QuestionnaireResponse {
  return {
    id: r.id,
    trialId: r.trial_id,
    wave: r.wave as WaveKey,
    respondentType: r.respondent_type,
    respondentId: r.respondent_id,
    instrumentId: r.instrument_id,
    answers: r.answers as QuestionnaireResponse['answers'],
    status: r.status,
    submittedAt: r.submitted_at === null ? null : toIso(r.submitted_at),
  };
}
