import type { Kysely } from 'kysely';
import { TiltakError } from '../../stats/errors.ts';
import {
  auditRead,
  type Database,
  inTransaction,
  saveResponseDraft,
  submitResponse,
} from '../../store/index.ts';
import type { BuiltinInstrumentId } from '../../trial/instruments/load.ts';
import type { Instrument } from '../../trial/instruments/schema.ts';
import { type ResponseScore, scoreResponse } from '../../trial/instruments/score.ts';
import type { Trial, WaveKey } from '../../trial/types.ts';
import { actorOf, type SessionUser } from '../auth/roles.ts';
import { assertFamilyAccess } from './access.ts';
import {
  builtinInstrument,
  FAMILY_INSTRUMENTS,
  isBuiltinInstrument,
  storedInstrumentId,
} from './instruments.ts';

/**
 * A family's questionnaire in one wave: the instrument definition, the saved answers (draft or
 * submitted) and the score of what is saved.
 *
 * @example
 * const q: Questionnaire = await getQuestionnaire(db, user, trial, familyId, 'T2', 'wai-sr');
 */
export interface Questionnaire {
  family: { id: string; pseudonym: string };
  wave: { key: WaveKey; label: string };
  instrument: Instrument;
  response: {
    id: string;
    status: 'draft' | 'submitted';
    answers: Record<string, number | null>;
    submittedAt: string | null;
  } | null;
  score: ResponseScore | null;
}

interface Target {
  readonly familyId: string;
  readonly wave: string;
  readonly instrumentKey: string;
}

function resolve(
  trial: Trial,
  t: Target,
): { wave: Trial['waves'][number]; key: BuiltinInstrumentId } {
  const wave = trial.waves.find((w) => w.key === t.wave);
  if (wave === undefined) throw new TiltakError('NOT_FOUND', `the trial has no wave ${t.wave}`);
  if (!isBuiltinInstrument(t.instrumentKey) || !FAMILY_INSTRUMENTS.includes(t.instrumentKey))
    throw new TiltakError('NOT_FOUND', `families do not answer instrument '${t.instrumentKey}'`);
  return { wave, key: t.instrumentKey };
}

/**
 * Read a family's questionnaire for a wave (access-checked and audited as a read of the family).
 *
 * @example
 * const q = await getQuestionnaire(db, user, trial, { familyId, wave: 'T2', instrumentKey: 'wai-sr' });
 */
export async function getQuestionnaire(
  db: Kysely<Database>,
  user: SessionUser,
  trial: Trial,
  target: Target,
): Promise<Questionnaire> {
  const { wave, key } = resolve(trial, target);
  await assertFamilyAccess(db, user, target.familyId);
  const instrument = builtinInstrument(key);
  const instrumentId = await storedInstrumentId(db, actorOf(user), key);
  return inTransaction(db, async (trx) => {
    const family = await trx
      .selectFrom('family')
      .select(['id', 'pseudonym'])
      .where('id', '=', target.familyId)
      .executeTakeFirstOrThrow();
    const r = await trx
      .selectFrom('questionnaire_response')
      .selectAll()
      .where('trial_id', '=', trial.id)
      .where('wave', '=', wave.key)
      .where('respondent_type', '=', 'family')
      .where('respondent_id', '=', target.familyId)
      .where('instrument_id', '=', instrumentId)
      .executeTakeFirst();
    await auditRead(trx, {
      actor: actorOf(user),
      entity: 'family',
      entityId: target.familyId,
      purpose: `questionnaire ${wave.key} ${key}`,
    });
    const answers = (r?.answers ?? {}) as Record<string, number | null>;
    return {
      family,
      wave: { key: wave.key, label: wave.label },
      instrument,
      response:
        r === undefined
          ? null
          : {
              id: r.id,
              status: r.status,
              answers,
              submittedAt: r.submitted_at === null ? null : new Date(r.submitted_at).toISOString(),
            },
      score: r === undefined ? null : scoreResponse(instrument, answers),
    };
  });
}

/**
 * Save a draft of a family's questionnaire. Answers are validated against the instrument
 * definition first (each a whole number on the scale, a missing code, or null for "not yet
 * answered"), so a bad value is named before anything is written; the write is audited.
 *
 * @example
 * await saveQuestionnaireDraft(db, user, trial, { familyId, wave: 'T2', instrumentKey: 'wai-sr' }, { wai01: 4, wai02: 9 });
 */
export async function saveQuestionnaireDraft(
  db: Kysely<Database>,
  user: SessionUser,
  trial: Trial,
  target: Target,
  answers: Record<string, number | null>,
): Promise<Questionnaire> {
  const { wave, key } = resolve(trial, target);
  await assertFamilyAccess(db, user, target.familyId);
  const instrument = builtinInstrument(key);
  scoreResponse(instrument, answers);
  const instrumentId = await storedInstrumentId(db, actorOf(user), key);
  await saveResponseDraft(db, actorOf(user), {
    trialId: trial.id,
    wave: wave.key,
    respondentType: 'family',
    respondentId: target.familyId,
    instrumentId,
    answers,
  });
  return getQuestionnaire(db, user, trial, target);
}

/**
 * Submit (and so lock) the saved draft: every item needs an answer or a missing code.
 *
 * @example
 * await submitQuestionnaire(db, user, trial, { familyId, wave: 'T2', instrumentKey: 'wai-sr' });
 */
export async function submitQuestionnaire(
  db: Kysely<Database>,
  user: SessionUser,
  trial: Trial,
  target: Target,
): Promise<Questionnaire> {
  const { wave, key } = resolve(trial, target);
  await assertFamilyAccess(db, user, target.familyId);
  const instrumentId = await storedInstrumentId(db, actorOf(user), key);
  const r = await db
    .selectFrom('questionnaire_response')
    .select('id')
    .where('trial_id', '=', trial.id)
    .where('wave', '=', wave.key)
    .where('respondent_type', '=', 'family')
    .where('respondent_id', '=', target.familyId)
    .where('instrument_id', '=', instrumentId)
    .executeTakeFirst();
  if (r === undefined)
    throw new TiltakError('NOT_FOUND', 'save a draft of this questionnaire before submitting it');
  await submitResponse(db, actorOf(user), r.id);
  return getQuestionnaire(db, user, trial, target);
}
