import argon2 from 'argon2';

// OWASP's argon2id minimum (19 MiB, 2 passes); tests and the demo pass lower costs to stay quick.
const DEFAULT_COST = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * argon2id cost parameters.
 *
 * @example
 * const c: PasswordCost = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
 */
export interface PasswordCost {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/**
 * Hash a password with argon2id (PHC string, salt included).
 *
 * @example
 * const h = await hashPassword('correct horse'); // '$argon2id$v=19$m=19456,t=2,p=1$…'
 */
export function hashPassword(password: string, cost: PasswordCost = DEFAULT_COST): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

/**
 * Check a password against an argon2id hash; false (never a throw) for a malformed hash.
 *
 * @example
 * await verifyPassword(h, 'correct horse'); // true
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
