import { Alert, Loader } from '@navikt/ds-react';
import { ApiError } from '../api.ts';
import { useI18n } from '../i18n.tsx';

/**
 * What a page shows while loading or after a failed load.
 *
 * @example
 * if (data === null) return <LoadState error={error} />;
 */
export function LoadState({ error }: { error: Error | null }) {
  const { t } = useI18n();
  if (error === null) return <Loader title={t('loading')} />;
  if (error instanceof ApiError && error.status === 403)
    return <Alert variant="warning">{t('forbidden')}</Alert>;
  if (error instanceof ApiError && error.status === 404)
    return <Alert variant="warning">{t('notFound')}</Alert>;
  return <Alert variant="error">{error.message}</Alert>;
}

/**
 * An arm's display name from its key.
 *
 * @example
 * armName(arms, 'holf'); // 'HOLF model'
 */
export function armName(
  arms: readonly { key: string; name: string }[],
  key: string | null,
): string {
  if (key === null) return '–';
  return arms.find((a) => a.key === key)?.name ?? key;
}

/**
 * The text key of an enrolment status.
 *
 * @example
 * t(enrolKey('enrolled')); // 'Inkludert'
 */
export function enrolKey(
  status: string,
): 'enrol_invited' | 'enrol_consented' | 'enrol_declined' | 'enrol_enrolled' | 'enrol_withdrawn' {
  const known = ['invited', 'consented', 'declined', 'enrolled', 'withdrawn'];
  return `enrol_${known.includes(status) ? status : 'invited'}` as ReturnType<typeof enrolKey>;
}
