import { Alert, Button, Heading, Table, VStack } from '@navikt/ds-react';
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';
import type { AuditList } from '../types.ts';
import { useApi } from '../useApi.ts';
import { LoadState } from './common.tsx';

/**
 * The latest audit-log entries (administrators), with a check of the whole hash chain on demand.
 *
 * @example
 * <AuditPage />
 */
export function AuditPage() {
  const { t } = useI18n();
  const [verify, setVerify] = useState(false);
  const { data, error } = useApi<AuditList>(`/api/audit?limit=200&verify=${verify}`);
  if (data === null) return <LoadState error={error} />;
  return (
    <VStack gap="space-16">
      <Heading size="xlarge" level="2">
        {t('auditTitle')}
      </Heading>
      {data.verified === null ? (
        <div>
          <Button size="small" variant="secondary" onClick={() => setVerify(true)}>
            {t('auditVerify')}
          </Button>
        </div>
      ) : (
        <Alert variant={data.verified ? 'success' : 'error'}>
          {data.verified ? t('auditOk') : t('auditBroken')}
        </Alert>
      )}
      <Table size="small" zebraStripes>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell className="num">#</Table.HeaderCell>
            <Table.HeaderCell>{t('time')}</Table.HeaderCell>
            <Table.HeaderCell>{t('actor')}</Table.HeaderCell>
            <Table.HeaderCell>{t('action')}</Table.HeaderCell>
            <Table.HeaderCell>{t('entity')}</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {data.entries.map((e) => (
            <Table.Row key={e.seq}>
              <Table.DataCell className="num">{e.seq}</Table.DataCell>
              <Table.DataCell>{e.at}</Table.DataCell>
              <Table.DataCell>{e.actor}</Table.DataCell>
              <Table.DataCell>{e.action}</Table.DataCell>
              <Table.DataCell>
                {e.entity} {e.entityId.slice(0, 8)}
              </Table.DataCell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </VStack>
  );
}
