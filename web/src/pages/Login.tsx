import { Alert, BodyShort, Box, Button, Heading, TextField, VStack } from '@navikt/ds-react';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useI18n } from '../i18n.tsx';

/**
 * The login form.
 *
 * @example
 * <LoginPage onLogin={refreshSession} />
 */
export function LoginPage({ onLogin }: { onLogin: () => Promise<void> }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/login', { username, password });
      await onLogin();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('tooMany') : t('wrongLogin'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box
      padding="space-32"
      borderWidth="1"
      borderRadius="8"
      style={{ maxWidth: '28rem', margin: '3rem auto' }}
    >
      <form onSubmit={submit}>
        <VStack gap="space-16">
          <Heading size="large" level="2">
            {t('signIn')}
          </Heading>
          <BodyShort>{t('loginIntro')}</BodyShort>
          <TextField
            label={t('username')}
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          <TextField
            label={t('password')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {error !== null && <Alert variant="error">{error}</Alert>}
          <Button type="submit" loading={busy}>
            {t('signIn')}
          </Button>
        </VStack>
      </form>
    </Box>
  );
}
