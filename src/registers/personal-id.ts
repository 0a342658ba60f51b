/**
 * Norwegian personal identification numbers: fødselsnummer (birth number) and D-number.
 *
 * Layout: `DDMMYY` + a three-digit individual number + two mod-11 check digits. A D-number adds 4
 * to the first digit of the day (so the day is 41–71). The individual number fixes the century:
 * 000–499 → 1900–1999; 500–749 with YY ≥ 54 → 1854–1899; 500–999 with YY ≤ 39 → 2000–2039;
 * 900–999 with YY ≥ 40 → 1940–1999. Other combinations are not issued and are rejected, because
 * without a century a date such as 29 February cannot be checked.
 */

/**
 * What kind of identifier a valid number is.
 *
 * @example
 * const kind: PersonalIdKind = Number(id[0]) >= 4 ? 'dnr' : 'fnr';
 */
export type PersonalIdKind = 'fnr' | 'dnr';

/**
 * Outcome of {@link validatePersonalId}: a parsed identifier or the reason it is invalid.
 *
 * @example
 * const c: PersonalIdCheck = validatePersonalId(id);
 * if (!c.ok) console.log(c.reason);
 */
export type PersonalIdCheck =
  | {
      readonly ok: true;
      readonly kind: PersonalIdKind;
      /** Birth date as `YYYY-MM-DD`. */
      readonly birthDate: string;
      readonly birthYear: number;
    }
  | { readonly ok: false; readonly reason: string };

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/**
 * Mod-11 check digit over `digits` with `weights`; `null` when the remainder gives 10, which no
 * valid number can carry.
 */
function checkDigit(digits: readonly number[], weights: readonly number[]): number | null {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += digits[i]! * weights[i]!;
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  if (k === 10) return null;
  return k;
}

function century(yy: number, individual: number): number | null {
  if (individual <= 499) return 1900;
  if (individual <= 749 && yy >= 54) return 1800;
  if (yy <= 39) return 2000;
  if (individual >= 900) return 1900;
  return null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Check a fødselsnummer or D-number: 11 digits, a real birth date (D-number day − 40), an issued
 * individual-number range, and both mod-11 check digits.
 *
 * @example
 * validatePersonalId('01019010046'); // { ok: true, kind: 'fnr', birthDate: '1990-01-01', ... }
 * validatePersonalId('41019010110'); // { ok: true, kind: 'dnr', birthDate: '1990-01-01', ... }
 * validatePersonalId('01019010047'); // { ok: false, reason: 'second check digit should be 6, is 7' }
 */
export function validatePersonalId(raw: string): PersonalIdCheck {
  const s = raw.trim();
  if (!/^\d{11}$/.test(s)) return { ok: false, reason: 'must be exactly 11 digits' };
  const d = Array.from(s, (c) => c.charCodeAt(0) - 48);
  let day = d[0]! * 10 + d[1]!;
  let kind: PersonalIdKind = 'fnr';
  if (day > 40) {
    kind = 'dnr';
    day -= 40;
  }
  const month = d[2]! * 10 + d[3]!;
  const yy = d[4]! * 10 + d[5]!;
  const individual = d[6]! * 100 + d[7]! * 10 + d[8]!;
  const c = century(yy, individual);
  if (c === null)
    return { ok: false, reason: `individual number ${individual} is not issued for year ${yy}` };
  const year = c + yy;
  if (month < 1 || month > 12) return { ok: false, reason: `impossible birth month ${month}` };
  if (day < 1 || day > daysInMonth(year, month))
    return { ok: false, reason: `impossible birth date day ${day} of ${year}-${pad2(month)}` };
  const k1 = checkDigit(d, W1);
  if (k1 === null)
    return { ok: false, reason: 'first check digit cannot be computed (remainder 1)' };
  if (k1 !== d[9]) return { ok: false, reason: `first check digit should be ${k1}, is ${d[9]}` };
  const k2 = checkDigit(d, W2);
  if (k2 === null)
    return { ok: false, reason: 'second check digit cannot be computed (remainder 1)' };
  if (k2 !== d[10]) return { ok: false, reason: `second check digit should be ${k2}, is ${d[10]}` };
  return { ok: true, kind, birthDate: `${year}-${pad2(month)}-${pad2(day)}`, birthYear: year };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * True when `raw` is a valid fødselsnummer or D-number; see {@link validatePersonalId}.
 *
 * @example
 * isValidPersonalId('01019010046'); // true
 */
export function isValidPersonalId(raw: string): boolean {
  return validatePersonalId(raw).ok;
}

/**
 * Mask a personal id (or anything that was meant to be one) for error messages: at most the first
 * six characters survive, the rest become `*`, so a report never carries a full identifier.
 *
 * @example
 * maskPersonalId('01019010046'); // '010190*****'
 */
export function maskPersonalId(raw: string): string {
  const s = raw.trim();
  const keep = Math.min(6, Math.max(0, s.length - 5));
  return s.slice(0, keep) + '*'.repeat(s.length - keep);
}

/**
 * Append the two check digits to nine digits (`DDMMYY` + individual number). Used to build test
 * data; `null` when no valid number exists for those nine digits.
 *
 * @example
 * withCheckDigits('010190100'); // '01019010046'
 */
export function withCheckDigits(nine: string): string | null {
  if (!/^\d{9}$/.test(nine)) return null;
  const d = Array.from(nine, (c) => c.charCodeAt(0) - 48);
  const k1 = checkDigit(d, W1);
  if (k1 === null) return null;
  d.push(k1);
  const k2 = checkDigit(d, W2);
  if (k2 === null) return null;
  return `${nine}${k1}${k2}`;
}
