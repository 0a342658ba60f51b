import {
  Alert,
  BodyShort,
  Button,
  Detail,
  Heading,
  HStack,
  ProgressBar,
  Select,
  Tag,
  TextField,
  VStack,
} from '@navikt/ds-react';
import { useState } from 'react';
import { api, errorText } from '../api.ts';
import { TEXTS, type TextKey, useI18n } from '../i18n.tsx';
import type { Job, Offices, User } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useJob } from '../useJob.ts';
import { LoadState } from './common.tsx';

const STATUS_COLOUR = {
  queued: 'neutral',
  running: 'info',
  succeeded: 'success',
  failed: 'error',
  cancelled: 'warning',
} as const;

/**
 * Background jobs: each with its progress bar (live over server-sent events, or polled), a cancel
 * button while it runs, and its result or error once finished. Administrators also upload a
 * register file for import and screening here.
 *
 * @example
 * <JobsPage user={user} />
 */
export function JobsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [reload, setReload] = useState(0);
  const { data, error } = useApi<{ jobs: Job[] }>(`/api/jobs?r=${reload}`);
  return (
    <VStack gap="space-24">
      <Heading size="xlarge" level="2">
        {t('jobsTitle')}
      </Heading>
      {user.role === 'administrator' && <RegisterImport onStarted={() => setReload(reload + 1)} />}
      {data === null ? (
        <LoadState error={error} />
      ) : data.jobs.length === 0 ? (
        <BodyShort>{t('jobsNone')}</BodyShort>
      ) : (
        <VStack gap="space-16" as="ol" className="job-list">
          {data.jobs.map((j) => (
            <li key={j.id}>
              <JobCard initial={j} />
            </li>
          ))}
        </VStack>
      )}
    </VStack>
  );
}

/**
 * One job: label, status, progress bar, cancel, and its result when finished.
 *
 * @example
 * <JobCard initial={job} />
 */
export function JobCard({ initial }: { initial: Job }) {
  const { t, locale } = useI18n();
  const { job: live, live: streaming } = useJob(initial.id, initial);
  const job = live ?? initial;
  const [cancelling, setCancelling] = useState(false);
  const running = job.finishedAt === null;
  const cancel = async () => {
    setCancelling(true);
    try {
      await api('DELETE', `/api/jobs/${job.id}`);
    } finally {
      setCancelling(false);
    }
  };
  const pct = Math.round(job.progress.fraction * 100);
  return (
    <section className="job-card" data-testid="job" data-status={job.status}>
      <HStack gap="space-12" align="center" justify="space-between">
        <Heading size="small" level="3">
          {jobTitle(job, t)}
        </Heading>
        <Tag variant={STATUS_COLOUR[job.status]} size="small">
          {t(`jobStatus_${job.status}`)}
        </Tag>
      </HStack>
      <Detail textColor="subtle">
        {job.label ?? job.kind} · {new Date(job.createdAt).toLocaleString(locale)}
        {running ? ` · ${streaming ? t('jobLive') : t('jobPolling')}` : ''}
      </Detail>
      <HStack gap="space-12" align="center">
        <div style={{ flex: 1 }}>
          <ProgressBar
            value={pct}
            valueMax={100}
            size="small"
            aria-label={`${t('jobProgress')}: ${jobTitle(job, t)}`}
          />
        </div>
        <BodyShort size="small" className="num">
          {pct} % {progressText(job.progress.message, t)}
        </BodyShort>
        {running && (
          <Button size="small" variant="secondary" loading={cancelling} onClick={cancel}>
            {t('cancelJob')}
          </Button>
        )}
      </HStack>
      {job.status === 'succeeded' && <JobResult job={job} />}
      {job.status === 'failed' && job.error !== null && (
        <Alert variant="error" size="small">
          {job.error.code}: {job.error.message}
        </Alert>
      )}
    </section>
  );
}

type T = ReturnType<typeof useI18n>['t'];

/** The job's kind in the UI language (its server label, with the details, is shown below it). */
function jobTitle(job: Job, t: T): string {
  const key = `jobKind_${job.kind.replaceAll('-', '_')}` as TextKey;
  return key in TEXTS.en ? t(key) : (job.label ?? job.kind);
}

/** A known progress message in the UI language; others (with numbers in them) as sent. */
function progressText(message: string, t: T): string {
  const key = `progress_${message.replaceAll(' ', '_')}` as TextKey;
  return key in TEXTS.en ? t(key) : message;
}

// Counts are grouped as the UI language groups them (77 558 760); statistics keep a point and no
// grouping, as in R and in the report, so 1,640 can never be read as a decimal.
function fmt(x: unknown, locale: string, digits = 4): string {
  if (typeof x !== 'number') return '–';
  return digits === 0
    ? x.toLocaleString(locale, { maximumFractionDigits: 0 })
    : x.toLocaleString('en-GB', { maximumFractionDigits: digits, useGrouping: false });
}

function JobResult({ job }: { job: Job }) {
  const { t, locale } = useI18n();
  const f = (x: unknown, digits?: number) => fmt(x, locale, digits);
  const r = (job.result ?? {}) as Record<string, unknown>;
  if (job.kind === 'ri-enumeration')
    return (
      <Alert variant="success" size="small" data-testid="job-result">
        {t('jobResult')}: T<sub>obs</sub> = {f(r.observed)}, p = {f(r.pValue)} (
        {r.exact === true ? t('exactRi') : t('sampled')}, {f(r.evaluated, 0)} /{' '}
        {f(r.totalAllocations, 0)})
      </Alert>
    );
  if (job.kind === 'register-import') return <RegisterImportResult job={job} />;
  if (job.kind === 'wild-bootstrap')
    return (
      <Alert variant="success" size="small" data-testid="job-result">
        {t('jobResult')}: {String(r.term ?? '')} = {f(r.estimate)}, p = {f(r.pValue)},{' '}
        {f(typeof r.level === 'number' ? r.level * 100 : null, 1)} % CI {f(r.confLow)} –{' '}
        {f(r.confHigh)} (WCR, {String(r.weights ?? '')}, {f(r.reps, 0)} {t('bootDraws')},{' '}
        {f(r.nClusters, 0)} {t('bootClusters')})
      </Alert>
    );
  if (job.kind === 'power-simulation')
    return (
      <Alert variant="success" size="small" data-testid="job-result">
        {t('jobResult')}: power = {f(r.power, 3)} (95 % CI {f(r.confLow, 3)}–{f(r.confHigh, 3)}
        ), {f(r.reps, 0)} {t('simTrials')}, {String(r.analysis ?? '')}
      </Alert>
    );
  return (
    <details data-testid="job-result">
      <summary>{t('jobResult')}</summary>
      <pre className="job-json">{JSON.stringify(job.result, null, 2).slice(0, 20_000)}</pre>
    </details>
  );
}

interface StoredScreening {
  identified: number;
  created: number;
  updated: number;
  unchanged: number;
  notIncluded: number;
  outsideOffices: number;
  byOffice: { office: string; identified: number; eligible: number }[];
}

/**
 * A finished register import: its screening counts, and a button that stores the identified
 * families in the trial once the administrator has looked at them.
 */
function RegisterImportResult({ job }: { job: Job }) {
  const { t, locale } = useI18n();
  const f = (x: unknown, digits?: number) => fmt(x, locale, digits);
  const s = ((job.result ?? {}) as { screening?: Record<string, unknown> }).screening ?? {};
  const [stored, setStored] = useState<StoredScreening | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const store = async () => {
    setBusy(true);
    setError(null);
    try {
      setStored(await api<StoredScreening>('POST', `/api/jobs/${job.id}/store-screening`, {}));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <VStack gap="space-8" data-testid="job-result">
      <BodyShort size="small">
        {t('screenedSummary')}: {f(s.families, 0)} · {t('meetingInclusion')}:{' '}
        {f(s.meetingInclusion, 0)} · {t('excludedCount')}: {f(s.excluded, 0)} · {t('eligibleCount')}
        : {f(s.eligible, 0)} ({String(s.asOf ?? '')})
      </BodyShort>
      {stored === null ? (
        <HStack>
          <Button size="small" variant="secondary" onClick={store} loading={busy}>
            {t('storeScreening')}
          </Button>
        </HStack>
      ) : (
        <Alert variant="success" size="small" data-testid="stored-screening">
          {t('storedScreening')}: {stored.identified} ({stored.created} {t('storedNew')},{' '}
          {stored.updated} {t('storedChanged')}, {stored.unchanged} {t('storedUnchanged')});{' '}
          {t('storedOutside')}: {stored.outsideOffices}
        </Alert>
      )}
      {error !== null && (
        <Alert variant="error" size="small">
          {error}
        </Alert>
      )}
    </VStack>
  );
}

function RegisterImport({ onStarted }: { onStarted: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [asOf, setAsOf] = useState('');
  const [office, setOffice] = useState('');
  const offices = useApi<Offices>('/api/offices').data;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    if (file === null) return;
    setBusy(true);
    setError(null);
    try {
      const q = new URLSearchParams();
      if (/^\d{4}-\d{2}$/.test(asOf.trim())) q.set('asOf', asOf.trim());
      if (office !== '') q.set('office', office);
      q.set('name', file.name.replace(/[/\\]/g, '_').slice(0, 200));
      const qs = q.size > 0 ? `?${q}` : '';
      await api('POST', `/api/jobs/register-import${qs}`, file);
      onStarted();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="job-card">
      <Heading size="small" level="3" spacing>
        {t('registerImportTitle')}
      </Heading>
      <HStack gap="space-16" align="end">
        <label className="file-field">
          <BodyShort size="small" weight="semibold">
            {t('registerFile')}
          </BodyShort>
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </label>
        <Select
          label={t('registerOffice')}
          size="small"
          value={office}
          onChange={(e) => setOffice(e.target.value)}
        >
          <option value="">{t('registerOfficeByMunicipality')}</option>
          {(offices?.offices ?? []).map((o) => (
            <option key={o.code} value={o.code}>
              {o.name}
            </option>
          ))}
        </Select>
        <TextField
          label={t('registerAsOf')}
          size="small"
          value={asOf}
          onChange={(e) => setAsOf(e.target.value)}
        />
        <Button size="small" onClick={start} disabled={file === null} loading={busy}>
          {t('startImport')}
        </Button>
      </HStack>
      {error !== null && <Alert variant="error">{error}</Alert>}
    </section>
  );
}
