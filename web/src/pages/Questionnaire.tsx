import {
  Alert,
  BodyShort,
  Button,
  Heading,
  HStack,
  Select,
  Table,
  Tag,
  VStack,
} from '@navikt/ds-react';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { AppLink } from '../router.tsx';
import type { Questionnaire, User } from '../types.ts';
import { useApi } from '../useApi.ts';
import { LoadState } from './common.tsx';

type Answers = Record<string, number | null>;

/**
 * Items without an answer or missing code, and answers that are neither on the scale nor a
 * missing code (the same rule the server applies), by item id.
 *
 * @example
 * validateAnswers(instrument, { wai01: 7 }); // { invalid: ['wai01'], unanswered: ['wai02', …] }
 */
export function validateAnswers(
  instrument: Questionnaire['instrument'],
  answers: Answers,
): { invalid: string[]; unanswered: string[] } {
  const { min, max } = instrument.responseScale;
  const codes = new Set(instrument.missingCodes.map((m) => m.code));
  const invalid: string[] = [];
  const unanswered: string[] = [];
  for (const it of instrument.items) {
    const v = answers[it.id];
    if (v === null || v === undefined) unanswered.push(it.id);
    else if (!codes.has(v) && !(Number.isInteger(v) && v >= min && v <= max)) invalid.push(it.id);
  }
  return { invalid, unanswered };
}

/**
 * Questionnaire entry for one family, wave and instrument: one choice per item (scale point or
 * missing code), saved drafts, and submission once every item is answered.
 *
 * @example
 * <QuestionnairePage familyId={id} wave="T2" instrument="wai-sr" user={user} />
 */
export function QuestionnairePage({
  familyId,
  wave,
  instrument,
  user,
}: {
  familyId: string;
  wave: string;
  instrument: string;
  user: User;
}) {
  const { t, lang } = useI18n();
  const url = `/api/families/${encodeURIComponent(familyId)}/questionnaires/${wave}/${instrument}`;
  const { data, error, setData } = useApi<Questionnaire>(url);
  const [answers, setAnswers] = useState<Answers>({});
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (data !== null) setAnswers({ ...(data.response?.answers ?? {}) });
  }, [data]);
  if (data === null) return <LoadState error={error} />;
  const ins = data.instrument;
  const locked = data.response?.status === 'submitted';
  const canWrite = (user.role === 'coordinator' || user.role === 'administrator') && !locked;
  const { invalid, unanswered } = validateAnswers(ins, answers);
  const labels = [...ins.responseScale.labels].sort((a, b) => a.value - b.value);

  const save = async (): Promise<boolean> => {
    setBusy(true);
    setMessage(null);
    try {
      setData(await api<Questionnaire>('PUT', url, { answers }));
      setMessage({ kind: 'success', text: t('saved') });
      return true;
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof ApiError ? e.message : String(e) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const submit = async () => {
    if (unanswered.length > 0 || invalid.length > 0) {
      setMessage({ kind: 'error', text: t('allMustBeAnswered') });
      return;
    }
    if (!(await save())) return;
    setBusy(true);
    try {
      setData(await api<Questionnaire>('POST', `${url}/submit`));
      setMessage({ kind: 'success', text: t('submitted') });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof ApiError ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <VStack gap="space-16">
      <div>
        <AppLink to={`/families/${familyId}`}>← {data.family.pseudonym}</AppLink>
        <Heading size="large" level="2">
          {ins.name[lang]}
        </Heading>
        <HStack gap="space-8" align="center">
          <BodyShort>
            {data.family.pseudonym} · {t('wave')} {data.wave.key} ({data.wave.label})
          </BodyShort>
          <Tag size="small" variant={locked ? 'success' : data.response ? 'info' : 'neutral'}>
            {t(`status_${data.response?.status ?? 'none'}`)}
          </Tag>
        </HStack>
      </div>
      {!canWrite && !locked && <Alert variant="info">{t('readOnly')}</Alert>}
      {locked && <Alert variant="success">{t('submitted')}</Alert>}
      <BodyShort size="small" textColor="subtle">
        {t('missingCodes')}: {ins.missingCodes.map((m) => `${m.code} = ${m[lang]}`).join(', ')}
      </BodyShort>
      <form
        aria-label={ins.name[lang]}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {ins.items.map((it, i) => {
          const v = answers[it.id];
          return (
            <div key={it.id} className={invalid.includes(it.id) ? 'item-row invalid' : 'item-row'}>
              <BodyShort>
                <strong>
                  {t('item')} {i + 1}.
                </strong>{' '}
                {it.text?.[lang] ?? `${t('licensedText')}: ${it.textKey}`}
              </BodyShort>
              <Select
                label={`${t('item')} ${i + 1}`}
                hideLabel
                size="small"
                name={it.id}
                disabled={!canWrite}
                value={v === null || v === undefined ? '' : String(v)}
                error={invalid.includes(it.id) ? ' ' : undefined}
                onChange={(e) =>
                  setAnswers({
                    ...answers,
                    [it.id]: e.target.value === '' ? null : Number(e.target.value),
                  })
                }
              >
                <option value="">{t('notAnswered')}</option>
                {labels.map((l) => (
                  <option key={l.value} value={l.value}>
                    {l.value} – {l[lang]}
                  </option>
                ))}
                {ins.missingCodes.map((m) => (
                  <option key={m.code} value={m.code}>
                    {m.code} – {m[lang]}
                  </option>
                ))}
              </Select>
            </div>
          );
        })}
        <VStack gap="space-12" style={{ marginTop: '1rem' }}>
          <BodyShort>
            {t('unanswered')}: {unanswered.length} / {ins.items.length}
          </BodyShort>
          {message !== null && !(locked && message.kind === 'success') && (
            <Alert variant={message.kind}>{message.text}</Alert>
          )}
          {canWrite && (
            <HStack gap="space-12">
              <Button type="submit" variant="secondary" loading={busy}>
                {t('saveDraft')}
              </Button>
              <Button type="button" onClick={submit} loading={busy}>
                {t('submit')}
              </Button>
            </HStack>
          )}
        </VStack>
      </form>
      {data.score !== null && (
        <section>
          <Heading size="small" level="3" spacing>
            {t('scores')}
          </Heading>
          <Table size="small">
            <Table.Body>
              {[...data.score.subscales, ...(data.score.total ? [data.score.total] : [])].map(
                (s) => (
                  <Table.Row key={s.id}>
                    <Table.HeaderCell scope="row">
                      {s.id === 'total'
                        ? t('total')
                        : (ins.subscales.find((x) => x.id === s.id)?.name[lang] ?? s.id)}
                    </Table.HeaderCell>
                    <Table.DataCell className="num">
                      {s.score === null ? '–' : s.score.toFixed(2)}
                    </Table.DataCell>
                    <Table.DataCell className="num">
                      {s.answered}/{s.nItems}
                    </Table.DataCell>
                  </Table.Row>
                ),
              )}
            </Table.Body>
          </Table>
        </section>
      )}
    </VStack>
  );
}
