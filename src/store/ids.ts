import { randomUUID } from 'node:crypto';

/**
 * A new random identifier for a stored row. Identifiers carry no meaning, so they come from the
 * operating system's generator rather than the seeded trial RNG (which is for allocation only).
 *
 * @example
 * newId(); // 'c3f1…-…'
 */
export function newId(): string {
  return randomUUID();
}
