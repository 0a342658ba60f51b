import { BodyShort, Heading, Table, VStack } from '@navikt/ds-react';
import type { z } from 'zod';
import type { municipalitySchema } from '../../../src/server/schemas.ts';
import { useI18n } from '../i18n.tsx';
import { useApi } from '../useApi.ts';
import { LoadState } from './common.tsx';

type Municipality = z.output<typeof municipalitySchema>;
type Row = Municipality['coefficients'][number];

/**
 * The municipality analysis: the spending model's coefficients with CIs and p-values, the
 * KVP-expense slope under and over 10,000 inhabitants, the coefficient plot and the scatter.
 *
 * @example
 * <MunicipalitySection />
 */
export function MunicipalitySection() {
  const { t } = useI18n();
  const { data, error } = useApi<Municipality>('/api/analysis/municipality');
  if (data === null) return <LoadState error={error} />;
  return (
    <VStack gap="space-16">
      <Heading size="medium" level="3">
        {t('municipalityTitle')}
      </Heading>
      <BodyShort size="small" textColor="subtle">
        {t('dataSource')}: {data.source}. {data.municipalities} {t('municipalities')} ({data.small}{' '}
        &lt; 10 000), {data.years.join(', ')}. {t('variance')}: {data.vcov}.
      </BodyShort>
      <Heading size="small" level="4">
        {t('kvpSlopes')}
      </Heading>
      <TidyTable rows={data.slopes} />
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(data.coefficientSvg)}`}
        alt={t('coefficientPlot')}
        style={{ maxWidth: '100%' }}
      />
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(data.scatterSvg)}`}
        alt={t('spendingScatter')}
        style={{ maxWidth: '100%' }}
      />
      <Heading size="small" level="4">
        {t('coefficients')}
      </Heading>
      <BodyShort size="small">
        <code>{data.formula}</code>
      </BodyShort>
      <TidyTable rows={data.coefficients} />
    </VStack>
  );
}

function TidyTable({ rows }: { rows: Row[] }) {
  const { t } = useI18n();
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  return (
    <Table size="small" zebraStripes>
      <Table.Header>
        <Table.Row>
          <Table.HeaderCell>{t('term')}</Table.HeaderCell>
          <Table.HeaderCell className="num">{t('estimate')}</Table.HeaderCell>
          <Table.HeaderCell className="num">{t('stdError')}</Table.HeaderCell>
          <Table.HeaderCell className="num">95 % CI</Table.HeaderCell>
          <Table.HeaderCell className="num">p</Table.HeaderCell>
        </Table.Row>
      </Table.Header>
      <Table.Body>
        {rows.map((r) => (
          <Table.Row key={r.term}>
            <Table.DataCell>
              <code>{r.term}</code>
            </Table.DataCell>
            <Table.DataCell className="num">{f(r.estimate)}</Table.DataCell>
            <Table.DataCell className="num">{f(r.std_error)}</Table.DataCell>
            <Table.DataCell className="num">
              [{f(r.conf_low)}, {f(r.conf_high)}]
            </Table.DataCell>
            <Table.DataCell className="num">
              {r.p_value < 0.001 ? '< 0.001' : f(r.p_value)}
            </Table.DataCell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  );
}
