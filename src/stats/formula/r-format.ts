/**
 * Format a double the way R's `as.character()` and `deparse()` do: at most 15 significant
 * digits, and scientific notation only when it is strictly narrower than fixed notation
 * (R's rule with the default `scipen = 0`); fixed notation prints the integer part in full. Factor levels made from numbers (`factor(year)`) and
 * numbers inside `I(...)` labels depend on this.
 *
 * @example
 * formatRNumber(2001);   // '2001'
 * formatRNumber(1e5);    // '1e+05'
 * formatRNumber(0.0001); // '1e-04'
 */
export function formatRNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  if (x === 0) return '0';
  const neg = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential(14).split('e') as [string, string];
  const exp = Number(expText);
  const digits = mant.replace('.', '').replace(/0+$/, '');
  const nsig = digits.length;
  const expAbs = Math.abs(exp);
  const sciWidth = nsig + (nsig > 1 ? 1 : 0) + (expAbs >= 100 ? 5 : 4);
  let fixedWidth: number;
  if (exp >= 0) {
    const right = Math.max(0, nsig - exp - 1);
    fixedWidth = exp + 1 + (right > 0 ? right + 1 : 0);
  } else {
    fixedWidth = 2 + (-exp - 1 + nsig);
  }
  if (fixedWidth <= sciWidth) {
    // Like C's sprintf('%.*f'), which R uses here: the integer part is printed in full.
    return neg + Math.abs(x).toFixed(exp >= 0 ? Math.max(0, nsig - exp - 1) : -exp - 1 + nsig);
  }
  const m = nsig > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${neg}${m}e${exp < 0 ? '-' : '+'}${String(expAbs).padStart(2, '0')}`;
}
