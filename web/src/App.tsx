import { Alert, InternalHeader, Loader, Spacer } from '@navikt/ds-react';
import { useCallback, useEffect, useState } from 'react';
import { api, setCsrfToken } from './api.ts';
import { useI18n } from './i18n.tsx';
import { AnalysisPage } from './pages/Analysis.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { FamiliesPage } from './pages/Families.tsx';
import { FamilyPage } from './pages/Family.tsx';
import { JobsPage } from './pages/Jobs.tsx';
import { LoginPage } from './pages/Login.tsx';
import { OfficesPage } from './pages/Offices.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { QuestionnairePage } from './pages/Questionnaire.tsx';
import { ScreeningPage } from './pages/Screening.tsx';
import { navigate, usePath } from './router.tsx';
import type { User } from './types.ts';

interface Session {
  user: User | null;
  csrfToken: string;
}

/**
 * The application shell: loads the session, shows the login page or the header and the page for
 * the current path.
 *
 * @example
 * <App />
 */
export function App() {
  const { t, lang, setLang } = useI18n();
  const path = usePath();
  const [session, setSession] = useState<Session | null>(null);

  const refresh = useCallback(async () => {
    const s = await api<Session>('GET', '/api/session');
    setCsrfToken(s.csrfToken);
    setSession(s);
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (session === null)
    return (
      <div className="main">
        <Loader title={t('loading')} />
      </div>
    );
  const langSwitch = (
    <InternalHeader.Button
      onClick={() => setLang(lang === 'nb' ? 'en' : 'nb')}
      lang={lang === 'nb' ? 'en' : 'nb'}
    >
      {t('language')}
    </InternalHeader.Button>
  );
  if (session.user === null)
    return (
      <>
        <InternalHeader>
          <InternalHeader.Title as="h1">{t('appTitle')}</InternalHeader.Title>
          <Spacer />
          {langSwitch}
        </InternalHeader>
        <main className="main">
          <LoginPage onLogin={refresh} />
        </main>
      </>
    );
  const user = session.user;
  const logout = async () => {
    await api('POST', '/api/logout');
    navigate('/');
    await refresh();
  };
  const nav = [
    { to: '/', label: t('navOverview') },
    { to: '/families', label: t('navFamilies') },
    { to: '/screening', label: t('navScreening') },
    { to: '/offices', label: t('navOffices') },
    ...(user.role === 'administrator' || user.role === 'researcher'
      ? [
          { to: '/analysis', label: t('navAnalysis') },
          { to: '/jobs', label: t('navJobs') },
        ]
      : []),
    ...(user.role === 'administrator' ? [{ to: '/audit', label: t('navAudit') }] : []),
  ];
  const current = (to: string) => (to === '/' ? path === '/' : path.startsWith(to));
  return (
    <>
      <InternalHeader>
        <InternalHeader.Title as="h1">{t('appTitle')}</InternalHeader.Title>
        {nav.map((n) => (
          <a
            key={n.to}
            href={n.to}
            className="nav-link"
            aria-current={current(n.to) ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(n.to);
            }}
          >
            {n.label}
          </a>
        ))}
        <Spacer />
        {langSwitch}
        <InternalHeader.User name={user.displayName} description={t(`role_${user.role}`)} />
        <InternalHeader.Button onClick={logout}>{t('signOut')}</InternalHeader.Button>
      </InternalHeader>
      <main className="main">
        <Route path={path} user={user} />
      </main>
    </>
  );
}

function Route({ path, user }: { path: string; user: User }) {
  const { t } = useI18n();
  if (path === '/') return <OverviewPage />;
  if (path === '/families') return <FamiliesPage user={user} />;
  if (path === '/offices') return <OfficesPage user={user} />;
  if (path === '/screening') return <ScreeningPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/analysis') return <AnalysisPage />;
  if (path === '/jobs') return <JobsPage user={user} />;
  const q = /^\/families\/([^/]+)\/questionnaires\/(T[1-5])\/([a-z0-9-]+)$/.exec(path);
  if (q) return <QuestionnairePage familyId={q[1]!} wave={q[2]!} instrument={q[3]!} user={user} />;
  const f = /^\/families\/([^/]+)$/.exec(path);
  if (f) return <FamilyPage familyId={f[1]!} />;
  return <Alert variant="warning">{t('notFound')}</Alert>;
}
