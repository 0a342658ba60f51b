import { type MouseEvent, type ReactNode, useEffect, useState } from 'react';

/**
 * The current path, updated on navigation and on the browser's back and forward buttons.
 *
 * @example
 * const path = usePath(); // '/families/abc'
 */
export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener('tiltak:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('tiltak:navigate', update);
    };
  }, []);
  return path;
}

/**
 * Go to a path inside the app without reloading.
 *
 * @example
 * navigate('/families');
 */
export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event('tiltak:navigate'));
  window.scrollTo(0, 0);
}

/**
 * A link inside the app (a real `<a href>` so it can be opened in a new tab).
 *
 * @example
 * <AppLink to="/families">Families</AppLink>
 */
export function AppLink({
  to,
  children,
  className,
}: {
  to: string;
  children: ReactNode;
  className?: string;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className ?? 'navds-link'}>
      {children}
    </a>
  );
}
