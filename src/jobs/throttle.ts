/**
 * Throttling of progress reports inside a worker, so a kernel that calls its hook thousands of
 * times a second costs the main thread at most about ten messages a second.
 */

/**
 * A progress reporter that forwards to `send` the first report and then at most one report per
 * `intervalMs` (reports in between are dropped: the next forwarded one supersedes them).
 * Fractions are clamped to [0, 1] and never go back; a missing message repeats the last one.
 *
 * @example
 * const report = progressThrottle((f, m) => port.postMessage({ type: 'progress', fraction: f, message: m }), 100);
 * report(0.5, 'half way');
 */
export function progressThrottle(
  send: (fraction: number, message: string) => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
): (fraction: number, message?: string) => void {
  let last = Number.NEGATIVE_INFINITY;
  let lastMessage = '';
  let high = 0;
  return (fraction, message) => {
    if (Number.isFinite(fraction)) high = Math.min(1, Math.max(high, fraction));
    if (message !== undefined) lastMessage = message;
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    send(high, lastMessage);
  };
}
