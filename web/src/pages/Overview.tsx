import { BodyShort, Heading, Table, Tag, VStack } from '@navikt/ds-react';
import { useI18n } from '../i18n.tsx';
import type { Overview } from '../types.ts';
import { useApi } from '../useApi.ts';
import { armName, LoadState } from './common.tsx';

/**
 * Trial overview: the CONSORT flow from live counts, and enrolment and wave completion per
 * office and arm.
 *
 * @example
 * <OverviewPage />
 */
export function OverviewPage() {
  const { t } = useI18n();
  const { data, error } = useApi<Overview>('/api/overview');
  if (data === null) return <LoadState error={error} />;
  const waves = data.waves.map((w) => w.key);
  return (
    <VStack gap="space-24">
      <div>
        <Heading size="xlarge" level="2">
          {t('overviewTitle')}: {data.trial.name}
        </Heading>
        <BodyShort textColor="subtle">
          {data.trial.registration ?? ''} · {data.trial.startDate}
        </BodyShort>
      </div>
      <Consort data={data} />
      <Heading size="medium" level="3">
        {t('perOffice')}
      </Heading>
      <Table size="small" zebraStripes>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>{t('office')}</Table.HeaderCell>
            <Table.HeaderCell>{t('arm')}</Table.HeaderCell>
            <Table.HeaderCell className="num">{t('screened')}</Table.HeaderCell>
            <Table.HeaderCell className="num">{t('eligible')}</Table.HeaderCell>
            <Table.HeaderCell className="num">{t('drawn')}</Table.HeaderCell>
            <Table.HeaderCell className="num">{t('enrolled')}</Table.HeaderCell>
            {waves.map((w) => (
              <Table.HeaderCell key={w} className="num">
                {w}
              </Table.HeaderCell>
            ))}
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {data.offices.map((o) => (
            <Table.Row key={o.id}>
              <Table.DataCell>
                {o.code} {o.name}
              </Table.DataCell>
              <Table.DataCell>{armName(data.arms, o.armKey)}</Table.DataCell>
              <Table.DataCell className="num">{o.counts.screened}</Table.DataCell>
              <Table.DataCell className="num">{o.counts.eligible}</Table.DataCell>
              <Table.DataCell className="num">{o.counts.drawn}</Table.DataCell>
              <Table.DataCell className="num">{o.counts.enrolled}</Table.DataCell>
              {waves.map((w) => (
                <Table.DataCell key={w} className="num">
                  {pct(o.counts.waves[w] ?? 0, o.counts.enrolled)}
                </Table.DataCell>
              ))}
            </Table.Row>
          ))}
          {data.arms.map((a) => (
            <Table.Row key={a.key}>
              <Table.HeaderCell scope="row">
                {t('arm')}: {a.name}
              </Table.HeaderCell>
              <Table.DataCell>{a.offices}</Table.DataCell>
              <Table.DataCell className="num">{a.counts.screened}</Table.DataCell>
              <Table.DataCell className="num">{a.counts.eligible}</Table.DataCell>
              <Table.DataCell className="num">{a.counts.drawn}</Table.DataCell>
              <Table.DataCell className="num">{a.counts.enrolled}</Table.DataCell>
              {waves.map((w) => (
                <Table.DataCell key={w} className="num">
                  {pct(a.counts.waves[w] ?? 0, a.counts.enrolled)}
                </Table.DataCell>
              ))}
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </VStack>
  );
}

function pct(n: number, of: number): string {
  return of === 0 ? `${n}` : `${n} (${Math.round((100 * n) / of)} %)`;
}

function Consort({ data }: { data: Overview }) {
  const { t } = useI18n();
  const total = data.total;
  const nOffices = data.offices.length;
  return (
    <section aria-labelledby="consort-h">
      <Heading size="medium" level="3" id="consort-h" spacing>
        {t('consortTitle')}
      </Heading>
      <div className="consort" data-testid="consort">
        <div className="consort-row">
          <Box
            label={t('assessed')}
            lines={[`${total.screened} ${t('families')}, ${nOffices} ${t('offices')}`]}
          />
          <Box
            side
            label={`${t('excluded')}: ${total.excluded}`}
            lines={data.exclusions.map((e) => `${e.rule}: ${e.count}`)}
          />
        </div>
        <div className="consort-arrow">↓</div>
        <div className="consort-row">
          {data.allocated ? (
            <Box
              label={t('randomised')}
              lines={[`${nOffices - data.unallocated.offices} ${t('offices')}`]}
            />
          ) : (
            <Tag variant="warning">{t('notAllocated')}</Tag>
          )}
        </div>
        <div className="consort-arrow">↓</div>
        <div className="consort-cols">
          {data.arms.map((a) => (
            <VStack key={a.key} gap="space-8">
              <Box
                label={`${t('allocated')}: ${a.name}`}
                lines={[
                  `${a.offices} ${t('offices')}`,
                  `${t('eligibleFamilies')}: ${a.counts.eligible}`,
                ]}
              />
              <div className="consort-arrow">↓</div>
              <Box
                label={`${t('drawn')}: ${a.counts.drawn}`}
                lines={[
                  `${t('comparison')}: ${a.counts.comparison}`,
                  `${t('enrolled')}: ${a.counts.enrolled}`,
                  `${t('declined')}: ${a.counts.declined}`,
                  `${t('withdrawn')}: ${a.counts.withdrawn}`,
                ]}
              />
              <div className="consort-arrow">↓</div>
              <Box
                label={t('followUp')}
                lines={data.waves.map(
                  (w) => `${w.key} (${w.label}): ${a.counts.waves[w.key] ?? 0}`,
                )}
              />
              <div className="consort-arrow">↓</div>
              <Box label={`${t('analysed')}: ${a.counts.waves.T2 ?? 0}`} lines={[]} />
            </VStack>
          ))}
        </div>
      </div>
    </section>
  );
}

function Box({ label, lines, side }: { label: string; lines: string[]; side?: boolean }) {
  return (
    <div className={side ? 'consort-box consort-side' : 'consort-box'}>
      <div className="n">{label}</div>
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
    </div>
  );
}
