import {
  Alert,
  BodyShort,
  Button,
  Heading,
  HStack,
  Select,
  Table,
  TextField,
  VStack,
} from '@navikt/ds-react';
import { useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Offices, User } from '../types.ts';
import { useApi } from '../useApi.ts';
import { armName, LoadState } from './common.tsx';

/**
 * Offices with their covariates and arm, the balance of numeric covariates between arms, and
 * the allocation (locked once drawn, with the SHA-256 of its record).
 *
 * @example
 * <OfficesPage />
 */
export function OfficesPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [reload, setReload] = useState(0);
  const { data, error } = useApi<Offices>(`/api/offices?r=${reload}`);
  if (data === null) return <LoadState error={error} />;
  const covNames = [...new Set(data.offices.flatMap((o) => Object.keys(o.covariates)))].sort();
  const canDraw = user.role === 'administrator' || user.role === 'researcher';
  return (
    <VStack gap="space-24">
      <Heading size="xlarge" level="2">
        {t('officesTitle')}
      </Heading>
      {data.allocation === null ? (
        <VStack gap="space-12">
          <Alert variant="info">{t('allocationNone')}</Alert>
          {canDraw && <DrawForm onDrawn={() => setReload(reload + 1)} />}
        </VStack>
      ) : (
        <Alert variant="success">
          <VStack gap="space-4">
            <BodyShort weight="semibold">{t('allocationLocked')}</BodyShort>
            <BodyShort size="small">
              {t('recordHash')}: <code>{data.allocation.recordSha256}</code>
            </BodyShort>
            <BodyShort size="small">
              {t('drawnBy')}: {data.allocation.createdBy}, {data.allocation.createdAt}
            </BodyShort>
          </VStack>
        </Alert>
      )}
      {data.validity !== null && <Validity v={data.validity} />}
      {data.balance.length > 0 && (
        <section>
          <Heading size="medium" level="3" spacing>
            {t('balance')}
          </Heading>
          <Table size="small">
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>{t('covariate')}</Table.HeaderCell>
                {data.arms.map((a) => (
                  <Table.HeaderCell key={a.key} className="num">
                    {t('mean')}: {a.name}
                  </Table.HeaderCell>
                ))}
                <Table.HeaderCell className="num">{t('stdDiff')}</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {data.balance.map((b) => (
                <Table.Row key={b.column}>
                  <Table.DataCell>{b.column}</Table.DataCell>
                  {data.arms.map((a) => (
                    <Table.DataCell key={a.key} className="num">
                      {fmt(b.means[a.key])}
                    </Table.DataCell>
                  ))}
                  <Table.DataCell className="num">{fmt(b.stdDiff)}</Table.DataCell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </section>
      )}
      <Table size="small" zebraStripes>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>{t('office')}</Table.HeaderCell>
            <Table.HeaderCell>{t('arm')}</Table.HeaderCell>
            {covNames.map((c) => (
              <Table.HeaderCell key={c} className="num">
                {c}
              </Table.HeaderCell>
            ))}
            <Table.HeaderCell className="num">{t('familiesTitle')}</Table.HeaderCell>
            <Table.HeaderCell className="num">{t('coordinators')}</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {data.offices.map((o) => (
            <Table.Row key={o.id}>
              <Table.DataCell>
                {o.code} {o.name}
              </Table.DataCell>
              <Table.DataCell>{armName(data.arms, o.armKey)}</Table.DataCell>
              {covNames.map((c) => (
                <Table.DataCell key={c} className="num">
                  {String(o.covariates[c] ?? '–')}
                </Table.DataCell>
              ))}
              <Table.DataCell className="num">{o.families}</Table.DataCell>
              <Table.DataCell className="num">{o.coordinators}</Table.DataCell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </VStack>
  );
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : x.toFixed(3);
}

function DrawForm({ onDrawn }: { onDrawn: () => void }) {
  const { t } = useI18n();
  const [seed, setSeed] = useState('');
  const [scheme, setScheme] = useState<'complete' | 'constrained'>('constrained');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const draw = async () => {
    const n = Number(seed);
    if (seed.trim() === '' || !Number.isInteger(n) || n < 0) {
      setError(t('seedInvalid'));
      return;
    }
    if (!window.confirm(t('drawConfirm'))) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/randomisation', { seed: n, scheme });
      onDrawn();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <HStack gap="space-16" align="end">
      <TextField
        label={t('seed')}
        inputMode="numeric"
        value={seed}
        onChange={(e) => setSeed(e.target.value)}
        error={error ?? undefined}
      />
      <Select
        label={t('scheme')}
        value={scheme}
        onChange={(e) => setScheme(e.target.value === 'complete' ? 'complete' : 'constrained')}
      >
        <option value="constrained">{t('schemeConstrained')}</option>
        <option value="complete">{t('schemeComplete')}</option>
      </Select>
      <Button onClick={draw} loading={busy}>
        {t('drawAllocation')}
      </Button>
    </HStack>
  );
}

/**
 * The validity check of the allocation record's accepted space: pairs of offices always together
 * or always apart, and the range of the share of schemes that put a pair in the same arm.
 *
 * @example
 * <Validity v={offices.validity} />
 */
function Validity({ v }: { v: NonNullable<Offices['validity']> }) {
  const { t, locale } = useI18n();
  const share = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
  return (
    <section data-testid="validity">
      <Heading size="medium" level="3" spacing>
        {t('validityTitle')}
      </Heading>
      {!v.checked ? (
        <Alert variant="info" size="small">
          {t('validityNotChecked')}: {v.reason}
        </Alert>
      ) : (
        <VStack gap="space-8">
          <Alert
            variant={v.alwaysTogether === 0 && v.alwaysApart === 0 ? 'success' : 'warning'}
            size="small"
          >
            {v.alwaysTogether === 0 && v.alwaysApart === 0 ? t('validityOk') : t('validityWarn')}
          </Alert>
          <Table size="small">
            <Table.Body>
              <Table.Row>
                <Table.HeaderCell scope="row">{t('validitySchemes')}</Table.HeaderCell>
                <Table.DataCell className="num">
                  {v.acceptedSchemes?.toLocaleString(locale)} /{' '}
                  {v.totalSchemes?.toLocaleString(locale)}
                  {v.enumerated === false ? ` (${t('sampled')})` : ''}
                </Table.DataCell>
              </Table.Row>
              <Table.Row>
                <Table.HeaderCell scope="row">{t('validityAlwaysTogether')}</Table.HeaderCell>
                <Table.DataCell className="num">{v.alwaysTogether}</Table.DataCell>
              </Table.Row>
              <Table.Row>
                <Table.HeaderCell scope="row">{t('validityAlwaysApart')}</Table.HeaderCell>
                <Table.DataCell className="num">{v.alwaysApart}</Table.DataCell>
              </Table.Row>
              <Table.Row>
                <Table.HeaderCell scope="row">{t('validityShare')}</Table.HeaderCell>
                <Table.DataCell className="num">
                  {share(v.minShare)} – {share(v.maxShare)}
                </Table.DataCell>
              </Table.Row>
            </Table.Body>
          </Table>
        </VStack>
      )}
    </section>
  );
}
