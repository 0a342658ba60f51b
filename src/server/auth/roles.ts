/**
 * The four roles of the web application.
 *
 * @example
 * const r: Role = 'coordinator';
 */
export type Role = 'administrator' | 'researcher' | 'office_leader' | 'coordinator';

/**
 * Every role, in the order the UI lists them.
 *
 * @example
 * ROLES.includes('researcher'); // true
 */
export const ROLES: readonly Role[] = [
  'administrator',
  'researcher',
  'office_leader',
  'coordinator',
];

/**
 * What a route may require of the signed-in user.
 *
 * @example
 * const p: Permission = 'questionnaire:write';
 */
export type Permission =
  | 'overview:read'
  | 'families:read'
  | 'questionnaire:write'
  | 'offices:read'
  | 'randomisation:draw'
  | 'analysis:read'
  | 'report:export'
  | 'jobs:run'
  | 'registers:import'
  | 'users:read'
  | 'audit:read';

const GRANTS: Readonly<Record<Permission, readonly Role[]>> = {
  'overview:read': ROLES,
  'families:read': ROLES,
  // Questionnaires are entered by the family's coordinator; the administrator may correct drafts.
  'questionnaire:write': ['administrator', 'coordinator'],
  'offices:read': ROLES,
  // The allocation is drawn by the trial statistician (a researcher) or the administrator.
  'randomisation:draw': ['administrator', 'researcher'],
  // Analyses are for the evaluators; office staff see the trial's progress, not its estimates.
  'analysis:read': ['administrator', 'researcher'],
  // Exports hold pseudonymised analysis data: for the evaluators only.
  'report:export': ['administrator', 'researcher'],
  // Long analyses (randomisation tests, simulation power) run as background jobs.
  'jobs:run': ['administrator', 'researcher'],
  // Raw register files carry personal ids until pseudonymised: administrators only.
  'registers:import': ['administrator'],
  'users:read': ['administrator'],
  'audit:read': ['administrator'],
};

/**
 * The signed-in user as the server sees it on every request.
 *
 * @example
 * const u: SessionUser = { id, username: 'koord.alna', displayName: 'Kari', role: 'coordinator', officeId };
 */
export interface SessionUser {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly officeId: string | null;
}

/**
 * Whether a role holds a permission.
 *
 * @example
 * can('researcher', 'questionnaire:write'); // false
 */
export function can(role: Role, permission: Permission): boolean {
  return GRANTS[permission].includes(role);
}

/**
 * The one office whose families a user may see, or `null` when the user sees every office.
 * Coordinators and office leaders are confined to their own office.
 *
 * @example
 * officeScope({ role: 'coordinator', officeId: 'o1' } as SessionUser); // 'o1'
 */
export function officeScope(user: SessionUser): string | null {
  return user.role === 'coordinator' || user.role === 'office_leader' ? user.officeId : null;
}

/**
 * True when the user sees pseudonymised data only: no staff names, nothing but pseudonyms.
 *
 * @example
 * pseudonymisedOnly({ role: 'researcher' } as SessionUser); // true
 */
export function pseudonymisedOnly(user: SessionUser): boolean {
  return user.role === 'researcher';
}

/**
 * The actor name written into the audit log for a user.
 *
 * @example
 * actorOf({ username: 'koord.alna', role: 'coordinator' } as SessionUser); // 'user:koord.alna'
 */
export function actorOf(user: SessionUser): string {
  return `user:${user.username}`;
}
