import { BodyShort, Box, Heading, HGrid, Table, Tag, VStack } from '@navikt/ds-react';
import { useI18n } from '../i18n.tsx';
import { AppLink } from '../router.tsx';
import type { FamilyDetail } from '../types.ts';
import { useApi } from '../useApi.ts';
import { enrolKey, LoadState } from './common.tsx';

/**
 * One family: household, eligibility with its reasons, draw and enrolment, office staff, and the
 * questionnaires of every wave.
 *
 * @example
 * <FamilyPage familyId={id} />
 */
export function FamilyPage({ familyId }: { familyId: string }) {
  const { t, lang } = useI18n();
  const { data, error } = useApi<FamilyDetail>(`/api/families/${encodeURIComponent(familyId)}`);
  if (data === null) return <LoadState error={error} />;
  return (
    <VStack gap="space-24">
      <div>
        <AppLink to="/families">← {t('back')}</AppLink>
        <Heading size="xlarge" level="2">
          {data.pseudonym}
        </Heading>
        <BodyShort textColor="subtle">
          {data.office.code} {data.office.name}
          {data.armKey !== null && ` · ${t('arm')}: ${data.armKey}`}
        </BodyShort>
      </div>
      <HGrid gap="space-24" columns={{ xs: 1, md: 2 }}>
        <Box padding="space-16" borderWidth="1" borderRadius="8">
          <Heading size="small" level="3" spacing>
            {t('household')}
          </Heading>
          <Table size="small">
            <Table.Header>
              <Table.Row>
                <Table.HeaderCell>{t('pseudonym')}</Table.HeaderCell>
                <Table.HeaderCell>{t('members')}</Table.HeaderCell>
                <Table.HeaderCell className="num">{t('birthYear')}</Table.HeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {data.members.map((m) => (
                <Table.Row key={m.pseudonym}>
                  <Table.DataCell>{m.pseudonym}</Table.DataCell>
                  <Table.DataCell>{t(m.role)}</Table.DataCell>
                  <Table.DataCell className="num">{m.birthYear ?? '–'}</Table.DataCell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table>
        </Box>
        <Box padding="space-16" borderWidth="1" borderRadius="8">
          <Heading size="small" level="3" spacing>
            {t('eligibility')}
          </Heading>
          {data.eligibility === null ? (
            <BodyShort>{t('notScreened')}</BodyShort>
          ) : (
            <VStack gap="space-8">
              <div>
                <Tag variant={data.eligibility.eligible ? 'success' : 'warning'}>
                  {data.eligibility.eligible ? t('eligible') : t('excluded')}
                </Tag>
              </div>
              <BodyShort>
                {t('rule')}: {data.eligibility.rule}
              </BodyShort>
              <BodyShort weight="semibold">{t('reasons')}</BodyShort>
              <ul>
                {data.eligibility.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </VStack>
          )}
          <BodyShort>
            {t('draw')}:{' '}
            {data.draw === null ? '–' : t(data.draw.group === 'drawn' ? 'drawn' : 'comparison')}
          </BodyShort>
          <BodyShort>
            {t('enrolment')}: {data.enrolment === null ? '–' : t(enrolKey(data.enrolment.status))}
            {data.enrolment?.enrolledDate ? ` (${data.enrolment.enrolledDate})` : ''}
          </BodyShort>
          <BodyShort data-testid="family-coordinator">
            {t('familyCoordinator')}: {data.coordinator ?? '–'}
          </BodyShort>
          <BodyShort>
            {t('staff')}: {data.staff.map((s) => `${s.name} (${t(s.role)})`).join(', ')}
          </BodyShort>
        </Box>
      </HGrid>
      <section>
        <Heading size="medium" level="3" spacing>
          {t('wavesAndAnswers')}
        </Heading>
        <Table size="small" zebraStripes>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>{t('wave')}</Table.HeaderCell>
              <Table.HeaderCell>{t('questionnaire')}</Table.HeaderCell>
              <Table.HeaderCell>{t('status')}</Table.HeaderCell>
              <Table.HeaderCell className="num">{t('answered')}</Table.HeaderCell>
              <Table.HeaderCell />
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data.waves.flatMap((w) =>
              w.questionnaires.map((q) => (
                <Table.Row key={`${w.key}-${q.instrumentKey}`}>
                  <Table.DataCell>
                    {w.key} ({w.label})
                  </Table.DataCell>
                  <Table.DataCell>{q.instrumentName[lang]}</Table.DataCell>
                  <Table.DataCell>
                    <Tag
                      size="small"
                      variant={
                        q.status === 'submitted'
                          ? 'success'
                          : q.status === 'draft'
                            ? 'info'
                            : 'neutral'
                      }
                    >
                      {t(`status_${q.status}`)}
                    </Tag>
                  </Table.DataCell>
                  <Table.DataCell className="num">{q.answered}</Table.DataCell>
                  <Table.DataCell>
                    <AppLink to={`/families/${data.id}/questionnaires/${w.key}/${q.instrumentKey}`}>
                      {t('open')} {w.key}
                    </AppLink>
                  </Table.DataCell>
                </Table.Row>
              )),
            )}
          </Table.Body>
        </Table>
      </section>
    </VStack>
  );
}
