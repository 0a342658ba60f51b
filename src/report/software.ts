/**
 * Software versions a report names: Tiltak and Node, and the R environment Tiltak's numbers are
 * checked against (the versions that produced the reference fixtures in `test/fixtures/r`).
 */
import { readFileSync } from 'node:fs';

/**
 * The R packages the mixed-model, cluster-robust and multiplicity results are validated against.
 *
 * @example
 * R_REFERENCE.lmerTest; // '3.1.3'
 */
export const R_REFERENCE: Readonly<Record<string, string>> = {
  R: '4.2.2',
  lme4: '1.1.31',
  lmerTest: '3.1.3',
  pbkrtest: '0.5.2',
  clubSandwich: '0.5.8',
};

/**
 * Tiltak's version (from its package.json), Node's, and {@link R_REFERENCE}: the default
 * `meta.software` of a report.
 *
 * @example
 * defaultSoftware(); // { Tiltak: '0.1.0', Node: 'v20.19.1', R: '4.2.2', lme4: '1.1.31', … }
 */
export function defaultSoftware(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return { Tiltak: pkg.version, Node: process.version, ...R_REFERENCE };
}
