import {
  Alert,
  BodyShort,
  Button,
  Detail,
  Heading,
  HStack,
  Link,
  Select,
  Table,
  TextField,
  VStack,
} from '@navikt/ds-react';
import { useState } from 'react';
import { ApiError, api, errorText } from '../api.ts';
import { VegaChart } from '../components/VegaChart.tsx';
import { useI18n } from '../i18n.tsx';
import type { Job, TrialAnalysis } from '../types.ts';
import { useApi } from '../useApi.ts';
import { JobCard } from './Jobs.tsx';

function num(x: number | null, digits = 3): string {
  if (x === null || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  const d = a >= 100 ? 0 : a >= 1 ? 2 : digits;
  // A point and no grouping, as in R and in the report: 1,040 must not read as a decimal.
  return x.toLocaleString('en-GB', {
    minimumFractionDigits: d,
    maximumFractionDigits: d,
    useGrouping: false,
  });
}

function pval(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–';
  return x < 0.0001 ? '< 0.0001' : x.toFixed(4);
}

/**
 * The trial analysis: the locked plan and its hash, the effects table with CIs, p-values and
 * adjusted p-values, the forest plot, trajectories by arm over T1–T5, ICCs, the randomisation
 * distributions with the observed statistic marked and the next-trial power curve (the report's
 * own Vega-Lite specs, drawn here with vega-embed); report downloads; and long computations
 * started as background jobs.
 *
 * @example
 * <TrialAnalysisSection />
 */
export function TrialAnalysisSection() {
  const { t } = useI18n();
  const { data, error } = useApi<TrialAnalysis>('/api/analysis/trial');
  return (
    <VStack gap="space-24">
      <Heading size="large" level="3">
        {t('trialAnalysisTitle')}
      </Heading>
      {data === null ? (
        error === null ? (
          <BodyShort>{t('loading')}</BodyShort>
        ) : (
          <Alert variant="info">
            {error instanceof ApiError && error.code === 'NO_ANALYSIS' ? `${t('noAnalysis')} ` : ''}
            {error.message}
          </Alert>
        )
      ) : (
        <AnalysisBody data={data} />
      )}
      <LongJobs columns={data?.outcomeColumns ?? null} />
    </VStack>
  );
}

function AnalysisBody({ data }: { data: TrialAnalysis }) {
  const { t, locale } = useI18n();
  const pct = `${Math.round(data.level * 100)} %`;
  return (
    <>
      <Alert variant={data.plan.locked ? 'success' : 'warning'}>
        <VStack gap="space-4">
          <BodyShort weight="semibold">
            {data.plan.locked ? t('lockedPlan') : t('planNotLocked')}: {data.plan.title}
          </BodyShort>
          <BodyShort size="small">
            {t('planHash')}: <code data-testid="plan-hash">{data.plan.hash}</code>
          </BodyShort>
          {data.plan.locked && (
            <BodyShort size="small">
              {t('lockedByAt')}: {data.plan.lockedBy}, {data.plan.lockedAt}
            </BodyShort>
          )}
          <BodyShort size="small">
            {data.source.kind === 'recorded' ? t('sourceRecorded') : t('sourceComputed')} (
            {data.source.by}, {data.source.at})
          </BodyShort>
        </VStack>
      </Alert>
      <section>
        <Heading size="medium" level="4" spacing>
          {t('exportTitle')}
        </Heading>
        <HStack gap="space-16">
          <Link href="/api/report/html" download>
            {t('exportHtml')}
          </Link>
          <Link href="/api/report/pdf" download>
            {t('exportPdf')}
          </Link>
          {['data.csv', 'codebook.csv', 'analysis.R', 'plan.json', 'results.json'].map((f) => (
            <Link key={f} href={`/api/report/bundle/${f}`} download>
              {f}
            </Link>
          ))}
          <Link href="/api/report/bundle.tar" download>
            {t('exportTar')}
          </Link>
        </HStack>
        <Detail textColor="subtle">{t('exportNote')}</Detail>
      </section>
      <section>
        <Heading size="medium" level="4" spacing>
          {t('effectsTitle')}
        </Heading>
        <Table size="small" data-testid="effects-table">
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>{t('outcome')}</Table.HeaderCell>
              <Table.HeaderCell>{t('family')}</Table.HeaderCell>
              <Table.HeaderCell align="right">N</Table.HeaderCell>
              <Table.HeaderCell align="right">{t('estimate')}</Table.HeaderCell>
              <Table.HeaderCell align="right">
                {pct} {t('confInt')}
              </Table.HeaderCell>
              <Table.HeaderCell align="right">p</Table.HeaderCell>
              <Table.HeaderCell align="right">
                {t('pAdjusted')} ({data.adjustment})
              </Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data.effects.map((e) => (
              <Table.Row key={e.outcome}>
                <Table.DataCell>{e.label}</Table.DataCell>
                <Table.DataCell>{e.family}</Table.DataCell>
                <Table.DataCell align="right">{e.nObs}</Table.DataCell>
                <Table.DataCell align="right">{num(e.estimate)}</Table.DataCell>
                <Table.DataCell align="right">
                  {num(e.confLow)} – {num(e.confHigh)}
                </Table.DataCell>
                <Table.DataCell align="right">{pval(e.pValue)}</Table.DataCell>
                <Table.DataCell align="right">{pval(e.pAdjusted)}</Table.DataCell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </section>
      <section>
        <Heading size="medium" level="4" spacing>
          {t('forestTitle')}
        </Heading>
        <VegaChart spec={data.charts.forest} label={t('forestTitle')} />
      </section>
      {data.charts.trajectories.length > 0 && (
        <section>
          <Heading size="medium" level="4" spacing>
            {t('trajectoriesTitle')}
          </Heading>
          <div className="chart-grid">
            {data.charts.trajectories.map((c) => (
              <VegaChart key={c.label} spec={c.spec} label={c.label} />
            ))}
          </div>
          <Detail textColor="subtle">{data.trajectoryNote}</Detail>
        </section>
      )}
      {data.iccs.length > 0 && (
        <section>
          <Heading size="medium" level="4" spacing>
            {t('iccTitle')}
          </Heading>
          <Table size="small">
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>{t('outcome')}</Table.HeaderCell>
                <Table.HeaderCell>{t('level')}</Table.HeaderCell>
                <Table.HeaderCell align="right">ICC</Table.HeaderCell>
                <Table.HeaderCell align="right">
                  {pct} {t('confInt')}
                </Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {data.iccs.map((i) => (
                <Table.Row key={`${i.outcome}:${i.group}`}>
                  <Table.DataCell>{i.outcome}</Table.DataCell>
                  <Table.DataCell>{i.group}</Table.DataCell>
                  <Table.DataCell align="right">{i.icc.toFixed(3)}</Table.DataCell>
                  <Table.DataCell align="right">
                    {i.low.toFixed(3)} – {i.high.toFixed(3)}
                  </Table.DataCell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
          {data.charts.icc !== null && <VegaChart spec={data.charts.icc} label={t('iccTitle')} />}
        </section>
      )}
      {data.charts.randomisation.length > 0 && (
        <section>
          <Heading size="medium" level="4" spacing>
            {t('randomisationTitle')}
          </Heading>
          <div className="chart-grid">
            {data.charts.randomisation.map((c) => {
              const test = data.randomisationTests.find((r) => c.label === r.label);
              return (
                <div key={c.label}>
                  <VegaChart spec={c.spec} label={c.label} />
                  <Detail>
                    T<sub>obs</sub> = {num(c.observed)}
                    {test !== undefined &&
                      `, p = ${pval(test.pValue)} (${test.exact ? t('exactRi') : `${test.evaluated.toLocaleString(locale)} ${t('sampled')}`})`}
                  </Detail>
                </div>
              );
            })}
          </div>
        </section>
      )}
      {data.charts.power !== null && (
        <section>
          <Heading size="medium" level="4" spacing>
            {t('nextTrialTitle')}
          </Heading>
          <VegaChart spec={data.charts.power.spec} label={t('nextTrialTitle')} />
          <Detail textColor="subtle">{data.charts.power.caption}</Detail>
        </section>
      )}
    </>
  );
}

function LongJobs({ columns }: { columns: string[] | null }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState(columns?.[0] ?? 'income');
  const [wave, setWave] = useState('T2');
  const [sim, setSim] = useState({
    nClusters: '30',
    clusterSize: '30',
    icc: '0.05',
    effect: '0.3',
    reps: '1000',
  });
  const [jobs, setJobs] = useState<Job[]>([]);
  const [error, setError] = useState<string | null>(null);
  const start = async (url: string, body: unknown) => {
    setError(null);
    try {
      const job = await api<Job>('POST', url, body);
      setJobs((js) => [job, ...js]);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const chosen = columns !== null && !columns.includes(outcome) ? (columns[0] ?? '') : outcome;
  return (
    <section>
      <Heading size="medium" level="4" spacing>
        {t('longJobsTitle')}
      </Heading>
      <VStack gap="space-16">
        <HStack gap="space-16" align="end">
          <BodyShort weight="semibold">{t('riTitle')}</BodyShort>
          {columns === null ? (
            <TextField
              label={t('riOutcome')}
              size="small"
              value={outcome}
              onChange={(e) => setOutcome(e.target.value)}
            />
          ) : (
            <Select
              label={t('riOutcome')}
              size="small"
              value={chosen}
              onChange={(e) => setOutcome(e.target.value)}
            >
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </Select>
          )}
          <Select
            label={t('riWave')}
            size="small"
            value={wave}
            onChange={(e) => setWave(e.target.value)}
          >
            {['T1', 'T2', 'T3', 'T4', 'T5'].map((w) => (
              <option key={w}>{w}</option>
            ))}
          </Select>
          <Button
            size="small"
            onClick={() => start('/api/jobs/randomisation-test', { outcome: chosen, wave })}
          >
            {t('startRi')}
          </Button>
          <Button
            size="small"
            variant="secondary"
            onClick={() =>
              start('/api/jobs/wild-bootstrap', {
                outcome: chosen,
                wave,
                reps: 9999,
                weights: 'webb',
              })
            }
          >
            {t('startBoot')}
          </Button>
        </HStack>
        <HStack gap="space-16" align="end">
          <BodyShort weight="semibold">{t('powerSimTitle')}</BodyShort>
          {(
            [
              ['nClusters', t('nClustersTotal')],
              ['clusterSize', t('power_clusterSize')],
              ['icc', t('simIcc')],
              ['effect', t('power_effect')],
              ['reps', t('simReps')],
            ] as const
          ).map(([k, label]) => (
            <TextField
              key={k}
              label={label}
              size="small"
              inputMode="decimal"
              htmlSize={6}
              value={sim[k]}
              onChange={(e) => setSim({ ...sim, [k]: e.target.value })}
            />
          ))}
          <Button
            size="small"
            onClick={() =>
              start('/api/jobs/power-simulation', {
                nClusters: Number(sim.nClusters),
                clusterSize: Number(sim.clusterSize),
                icc: Number(sim.icc),
                effect: Number(sim.effect),
                reps: Number(sim.reps),
              })
            }
          >
            {t('startPowerSim')}
          </Button>
        </HStack>
        {error !== null && <Alert variant="error">{error}</Alert>}
        {jobs.length > 0 && <Alert variant="info">{t('jobStarted')}</Alert>}
        {jobs.map((j) => (
          <JobCard key={j.id} initial={j} />
        ))}
      </VStack>
    </section>
  );
}
