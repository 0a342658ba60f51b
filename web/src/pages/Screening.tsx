import { BodyShort, Button, Heading, HStack, Select, Table, Tag, VStack } from '@navikt/ds-react';
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { AppLink } from '../router.tsx';
import type { Screening } from '../types.ts';
import { useApi } from '../useApi.ts';
import { LoadState } from './common.tsx';

const PAGE = 50;

/**
 * Screening results: counts by deciding rule, and each family with its outcome and reasons.
 *
 * @example
 * <ScreeningPage />
 */
export function ScreeningPage() {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<'all' | 'eligible' | 'excluded'>('all');
  const [offset, setOffset] = useState(0);
  const { data, error } = useApi<Screening>(
    `/api/screening?outcome=${outcome}&limit=${PAGE}&offset=${offset}`,
  );
  return (
    <VStack gap="space-16">
      <Heading size="xlarge" level="2">
        {t('screeningTitle')}
      </Heading>
      {data === null ? (
        <LoadState error={error} />
      ) : (
        <>
          <Table size="small">
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>{t('rule')}</Table.HeaderCell>
                <Table.HeaderCell>{t('outcome')}</Table.HeaderCell>
                <Table.HeaderCell className="num">{t('familiesTitle')}</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {data.summary.byRule.map((r) => (
                <Table.Row key={`${r.rule}-${r.eligible}`}>
                  <Table.DataCell>{r.rule}</Table.DataCell>
                  <Table.DataCell>{r.eligible ? t('eligible') : t('excluded')}</Table.DataCell>
                  <Table.DataCell className="num">{r.count}</Table.DataCell>
                </Table.Row>
              ))}
              <Table.Row>
                <Table.HeaderCell scope="row">{t('screened')}</Table.HeaderCell>
                <Table.DataCell>
                  {t('eligible')}: {data.summary.eligible} · {t('excluded')}:{' '}
                  {data.summary.excluded}
                </Table.DataCell>
                <Table.DataCell className="num">{data.summary.screened}</Table.DataCell>
              </Table.Row>
            </Table.Body>
          </Table>
          <div style={{ maxWidth: '16rem' }}>
            <Select
              label={t('outcome')}
              value={outcome}
              onChange={(e) => {
                const v = e.target.value;
                setOutcome(v === 'eligible' || v === 'excluded' ? v : 'all');
                setOffset(0);
              }}
            >
              <option value="all">{t('outcomeAll')}</option>
              <option value="eligible">{t('eligible')}</option>
              <option value="excluded">{t('excluded')}</option>
            </Select>
          </div>
          <Table size="small" zebraStripes>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>{t('pseudonym')}</Table.HeaderCell>
                <Table.HeaderCell>{t('office')}</Table.HeaderCell>
                <Table.HeaderCell>{t('outcome')}</Table.HeaderCell>
                <Table.HeaderCell>{t('rule')}</Table.HeaderCell>
                <Table.HeaderCell>{t('reasons')}</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {data.rows.map((r) => (
                <Table.Row key={r.familyId}>
                  <Table.DataCell>
                    <AppLink to={`/families/${r.familyId}`}>{r.pseudonym}</AppLink>
                  </Table.DataCell>
                  <Table.DataCell>
                    {r.officeCode} {r.officeName}
                  </Table.DataCell>
                  <Table.DataCell>
                    <Tag size="small" variant={r.eligible ? 'success' : 'warning'}>
                      {r.eligible ? t('eligible') : t('excluded')}
                    </Tag>
                  </Table.DataCell>
                  <Table.DataCell>{r.rule}</Table.DataCell>
                  <Table.DataCell>{r.reasons.join('; ')}</Table.DataCell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
          <HStack gap="space-16" align="center">
            <Button
              size="small"
              variant="secondary"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              {t('previous')}
            </Button>
            <BodyShort>
              {t('shown')} {data.rows.length === 0 ? 0 : offset + 1}–{offset + data.rows.length}{' '}
              {t('of')} {data.total}
            </BodyShort>
            <Button
              size="small"
              variant="secondary"
              disabled={offset + PAGE >= data.total}
              onClick={() => setOffset(offset + PAGE)}
            >
              {t('next')}
            </Button>
          </HStack>
        </>
      )}
    </VStack>
  );
}
