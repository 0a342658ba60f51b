import { useEffect, useState } from 'react';
import { api } from './api.ts';

/**
 * Load JSON from a GET route; reloads when the URL changes.
 *
 * @example
 * const { data, error } = useApi<Overview>('/api/overview');
 */
export function useApi<T>(url: string): {
  data: T | null;
  error: Error | null;
  setData: (d: T) => void;
} {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    api<T>('GET', url)
      .then((d) => {
        if (live) setData(d);
      })
      .catch((e: unknown) => {
        if (live) setError(e instanceof Error ? e : new Error(String(e)));
      });
    return () => {
      live = false;
    };
  }, [url]);
  return { data, error, setData };
}
