import {
  BodyShort,
  Button,
  Heading,
  HStack,
  Search,
  Select,
  Table,
  Tag,
  VStack,
} from '@navikt/ds-react';
import { useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { AppLink } from '../router.tsx';
import type { FamilyList, Offices, User } from '../types.ts';
import { useApi } from '../useApi.ts';
import { armName, enrolKey, LoadState } from './common.tsx';

const PAGE = 25;

/**
 * The families the user may see, with search by pseudonym and (for roles that see every office)
 * an office filter.
 *
 * @example
 * <FamiliesPage user={user} />
 */
export function FamiliesPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  const [officeId, setOfficeId] = useState('');
  const [offset, setOffset] = useState(0);
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (search !== '') params.set('search', search);
  if (officeId !== '') params.set('officeId', officeId);
  const { data, error } = useApi<FamilyList>(`/api/families?${params}`);
  const offices = useApi<Offices>('/api/offices');
  const scoped = user.role === 'coordinator' || user.role === 'office_leader';
  const arms = offices.data?.arms ?? [];
  return (
    <VStack gap="space-16">
      <Heading size="xlarge" level="2">
        {t('familiesTitle')}
      </Heading>
      <HStack gap="space-16" align="end">
        <form
          onSubmit={(e) => {
            e.preventDefault();
          }}
          style={{ width: '20rem' }}
        >
          <Search
            label={t('search')}
            variant="simple"
            value={search}
            onChange={(v) => {
              setSearch(v);
              setOffset(0);
            }}
          />
        </form>
        {!scoped && offices.data !== null && (
          <Select
            label={t('office')}
            value={officeId}
            onChange={(e) => {
              setOfficeId(e.target.value);
              setOffset(0);
            }}
          >
            <option value="">{t('allOffices')}</option>
            {offices.data.offices.map((o) => (
              <option key={o.id} value={o.id}>
                {o.code} {o.name}
              </option>
            ))}
          </Select>
        )}
      </HStack>
      {data === null ? (
        <LoadState error={error} />
      ) : data.rows.length === 0 ? (
        <BodyShort>{t('noFamilies')}</BodyShort>
      ) : (
        <>
          <Table size="small" zebraStripes>
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>{t('pseudonym')}</Table.HeaderCell>
                <Table.HeaderCell>{t('office')}</Table.HeaderCell>
                <Table.HeaderCell>{t('arm')}</Table.HeaderCell>
                <Table.HeaderCell>{t('eligible')}</Table.HeaderCell>
                <Table.HeaderCell>{t('draw')}</Table.HeaderCell>
                <Table.HeaderCell>{t('enrolment')}</Table.HeaderCell>
                <Table.HeaderCell className="num">{t('members')}</Table.HeaderCell>
                <Table.HeaderCell>{t('waves')}</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {data.rows.map((f) => (
                <Table.Row key={f.id}>
                  <Table.DataCell>
                    <AppLink to={`/families/${f.id}`}>{f.pseudonym}</AppLink>
                  </Table.DataCell>
                  <Table.DataCell>
                    {f.officeCode} {f.officeName}
                  </Table.DataCell>
                  <Table.DataCell>{armName(arms, f.armKey)}</Table.DataCell>
                  <Table.DataCell>
                    {f.eligible === null ? '–' : f.eligible ? t('yes') : t('no')}
                  </Table.DataCell>
                  <Table.DataCell>
                    {f.drawGroup === null
                      ? '–'
                      : t(f.drawGroup === 'drawn' ? 'drawn' : 'comparison')}
                  </Table.DataCell>
                  <Table.DataCell>
                    {f.enrolment === null ? '–' : t(enrolKey(f.enrolment))}
                  </Table.DataCell>
                  <Table.DataCell className="num">{f.members}</Table.DataCell>
                  <Table.DataCell>
                    <HStack gap="space-4">
                      {f.submittedWaves.map((w) => (
                        <Tag key={w} size="xsmall" variant="success">
                          {w}
                        </Tag>
                      ))}
                    </HStack>
                  </Table.DataCell>
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
              {t('shown')} {offset + 1}–{offset + data.rows.length} {t('of')} {data.total}
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
