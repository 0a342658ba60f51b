import { Alert, BodyShort, Heading, HStack, TextField, VStack } from '@navikt/ds-react';
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { useApi } from '../useApi.ts';
import { LoadState } from './common.tsx';
import { MunicipalitySection } from './Municipality.tsx';
import { TrialAnalysisSection } from './TrialAnalysis.tsx';

interface PowerCurve {
  points: { nClusters: number; power: number }[];
  required: { nClusters: number; power: number };
  designEffect: number;
  svg: string;
}

const FIELDS = [
  { key: 'icc', min: 0, max: 0.99 },
  { key: 'clusterSize', min: 1, max: 1000 },
  { key: 'effect', min: 0.01, max: 5 },
  { key: 'target', min: 0.06, max: 0.99 },
] as const;

type Params = Record<(typeof FIELDS)[number]['key'], string>;

/**
 * Analysis page: the trial analysis (plan, effects, charts, exports, long jobs), then the power curve for a next trial (offices per arm), from the ICC, families per
 * office, standardised effect and target power, drawn by the server from the report's Vega-Lite
 * spec.
 *
 * @example
 * <AnalysisPage />
 */
export function AnalysisPage() {
  const { t } = useI18n();
  const [params, setParams] = useState<Params>({
    icc: '0.05',
    clusterSize: '30',
    effect: '0.3',
    target: '0.8',
  });
  const invalid = FIELDS.filter((f) => {
    const v = Number(params[f.key]);
    return params[f.key].trim() === '' || !Number.isFinite(v) || v < f.min || v > f.max;
  }).map((f) => f.key);
  const [query, setQuery] = useState(new URLSearchParams(params).toString());
  const { data, error } = useApi<PowerCurve>(`/api/analysis/power?${query}`);
  const update = (key: keyof Params, value: string) => {
    const next = { ...params, [key]: value };
    setParams(next);
    const ok = FIELDS.every((f) => {
      const v = Number(next[f.key]);
      return next[f.key].trim() !== '' && Number.isFinite(v) && v >= f.min && v <= f.max;
    });
    if (ok) setQuery(new URLSearchParams(next).toString());
  };
  return (
    <VStack gap="space-16">
      <Heading size="xlarge" level="2">
        {t('analysisTitle')}
      </Heading>
      <TrialAnalysisSection />
      <Heading size="medium" level="3">
        {t('powerTitle')}
      </Heading>
      <HStack gap="space-16">
        {FIELDS.map((f) => (
          <TextField
            key={f.key}
            label={t(`power_${f.key}`)}
            inputMode="decimal"
            size="small"
            value={params[f.key]}
            error={invalid.includes(f.key) ? `${f.min}–${f.max}` : undefined}
            onChange={(e) => update(f.key, e.target.value)}
          />
        ))}
      </HStack>
      {data === null ? (
        <LoadState error={error} />
      ) : (
        <>
          <Alert variant="info">
            {t('powerRequired')}: <strong>{data.required.nClusters}</strong> (
            {(100 * data.required.power).toFixed(1)} %). {t('designEffect')}:{' '}
            {data.designEffect.toFixed(2)}.
          </Alert>
          <img
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(data.svg)}`}
            alt={t('powerTitle')}
            style={{ maxWidth: '100%' }}
          />
          <BodyShort size="small" textColor="subtle">
            {t('powerNote')}
          </BodyShort>
        </>
      )}
      <MunicipalitySection />
    </VStack>
  );
}
