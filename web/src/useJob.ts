import { useEffect, useState } from 'react';
import { api } from './api.ts';
import type { Job } from './types.ts';

/**
 * Follow a background job: its snapshot first, then changes from the server-sent event stream
 * (`/api/jobs/:id/events`); if the stream fails (a proxy that buffers, an old browser), poll
 * `/api/jobs/:id` every second instead. Stops when the job has finished.
 *
 * @example
 * const { job, live } = useJob(id);
 */
export function useJob(id: string, initial?: Job): { job: Job | null; live: boolean } {
  const [job, setJob] = useState<Job | null>(initial ?? null);
  const [live, setLive] = useState(true);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      if (stopped) return;
      try {
        const j = await api<Job>('GET', `/api/jobs/${id}`);
        if (stopped) return;
        setJob(j);
        if (j.finishedAt !== null) return;
      } catch {
        // try again below
      }
      timer = setTimeout(poll, 1000);
    };
    let source: EventSource | null = null;
    if (typeof EventSource === 'function') {
      source = new EventSource(`/api/jobs/${id}/events`);
      source.addEventListener('job', (e) => {
        const j = JSON.parse((e as MessageEvent<string>).data) as Job;
        setJob(j);
        if (j.finishedAt !== null) source?.close();
      });
      source.onerror = () => {
        source?.close();
        if (stopped) return;
        setLive(false);
        void poll();
      };
    } else {
      setLive(false);
      void poll();
    }
    return () => {
      stopped = true;
      source?.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [id]);
  return { job, live };
}
