import { describe, expect, it } from 'vitest';
import {
  isValidPersonalId,
  maskPersonalId,
  validatePersonalId,
  withCheckDigits,
} from '../src/registers/personal-id.ts';

// Expected check digits below were computed by hand with the published weights
// (3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2), independently of the code under test.
describe('validatePersonalId', () => {
  it('accepts fødselsnumre with correct check digits and dates', () => {
    // 010190100: sum1 = 0*3+1*7+0*6+1*1+9*8+0*9+1*4+0*5+0*2 = 84, 84 % 11 = 7, k1 = 4;
    // sum2 = 0*5+1*4+0*3+1*2+9*7+0*6+1*5+0*4+0*3+4*2 = 82, 82 % 11 = 5, k2 = 6.
    expect(validatePersonalId('01019010046')).toEqual({
      ok: true,
      kind: 'fnr',
      birthDate: '1990-01-01',
      birthYear: 1990,
    });
    expect(validatePersonalId(' 01019010127 ').ok).toBe(true);
    expect(isValidPersonalId('31129949980')).toBe(true);
  });

  it('accepts D-numbers (day + 40) and reports the real birth date', () => {
    expect(validatePersonalId('41019010110')).toEqual({
      ok: true,
      kind: 'dnr',
      birthDate: '1990-01-01',
      birthYear: 1990,
    });
    expect(validatePersonalId('41038510086').ok).toBe(true);
  });

  it('uses the individual number for the century', () => {
    expect(validatePersonalId('15050590086')).toMatchObject({ ok: true, birthYear: 2005 });
    expect(validatePersonalId('15059995070')).toMatchObject({ ok: true, birthYear: 1999 });
    expect(validatePersonalId('01015560041')).toMatchObject({ ok: true, birthYear: 1855 });
  });

  it('rejects wrong check digits, naming the digit', () => {
    expect(validatePersonalId('01019010047')).toEqual({
      ok: false,
      reason: 'second check digit should be 6, is 7',
    });
    expect(validatePersonalId('01019010056')).toEqual({
      ok: false,
      reason: 'first check digit should be 4, is 5',
    });
  });

  it('rejects numbers whose check digit would be 10', () => {
    // 010190108: sum1 = 84 + 8*2 = 100, 100 % 11 = 1, 11 - 1 = 10: no first check digit exists.
    expect(withCheckDigits('010190108')).toBeNull();
    for (let a = 0; a <= 9; a++)
      for (let b = 0; b <= 9; b++) expect(isValidPersonalId(`010190108${a}${b}`)).toBe(false);
    expect(validatePersonalId('01019010800')).toEqual({
      ok: false,
      reason: 'first check digit cannot be computed (remainder 1)',
    });
    // 010190102: sum1 = 88, 88 % 11 = 0, so 11 - 0 = 11 maps to check digit 0.
    expect(withCheckDigits('010190102')?.[9]).toBe('0');
  });

  it('rejects impossible dates, also for D-numbers', () => {
    expect(validatePersonalId('31028110012')).toEqual({
      ok: false,
      reason: 'impossible birth date day 31 of 1981-02',
    });
    // 29 February exists in 2000 but not in 1900: the individual number decides the century.
    const feb29in1900 = withCheckDigits('290200100')!;
    expect(validatePersonalId(feb29in1900).ok).toBe(false);
    const feb29in2000 = withCheckDigits('290200500')!;
    expect(validatePersonalId(feb29in2000)).toMatchObject({ ok: true, birthDate: '2000-02-29' });
    expect(validatePersonalId('01139010046')).toMatchObject({ ok: false });
    expect(validatePersonalId('72019010046')).toMatchObject({ ok: false });
    expect(validatePersonalId('00019010046')).toMatchObject({ ok: false });
  });

  it('rejects malformed strings', () => {
    for (const s of ['', '0101901004', '010190100461', '0101901004a', '01019 10046']) {
      expect(validatePersonalId(s)).toEqual({ ok: false, reason: 'must be exactly 11 digits' });
    }
  });

  it('every id built by withCheckDigits validates, and a changed digit breaks it', () => {
    let built = 0;
    for (let i = 100; i < 400; i++) {
      const id = withCheckDigits(`150687${i}`);
      if (id === null) continue;
      built++;
      expect(isValidPersonalId(id)).toBe(true);
      const last = (Number(id[10]) + 1) % 10;
      expect(isValidPersonalId(`${id.slice(0, 10)}${last}`)).toBe(false);
    }
    expect(built).toBeGreaterThan(200);
  });
});

describe('maskPersonalId', () => {
  it('keeps at most the first six characters', () => {
    expect(maskPersonalId('01019010046')).toBe('010190*****');
    expect(maskPersonalId('123456789')).toBe('1234*****');
    expect(maskPersonalId('123')).toBe('***');
  });
});
