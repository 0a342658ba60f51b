/**
 * Task `register-import`: import a raw register file with pseudonymisation
 * (src/registers/import.ts) and screen it with a rule set (src/registers/screening.ts). Neither
 * has a progress hook, so the job reports its stages: reading and pseudonymising (0), writing the
 * Parquet file (0.4, with `out`), screening (0.5), done. Only pseudonymised data and counts leave
 * the worker; a rejected file fails with `REGISTER_REJECTED` and its bad rows (ids masked) in the
 * error details.
 */
import { importRegisterFile, writePseudonymisedParquet } from '../../registers/import.ts';
import { loadPseudonymKey } from '../../registers/pseudonym.ts';
import { parseYearMonth, screen } from '../../registers/screening.ts';
import { TiltakError } from '../../stats/errors.ts';
import { holfRuleSet, loadRuleSet } from '../../trial/eligibility-rules.ts';
import { toJson } from '../json.ts';
import type { RegisterImportParams } from '../params.ts';
import type { JobContext, JsonValue } from '../types.ts';

/**
 * Import and screen.
 *
 * @example
 * const r = await run(registerImportParams.parse({ path: 'registers.csv', keyFile: 'tiltak.key' }), { progress() {} });
 * r; // { import: { rows: 23, persons: 20, … }, screening: { eligible: 7, … }, … }
 */
export async function run(p: RegisterImportParams, ctx: JobContext): Promise<JsonValue> {
  if (p.displayName === undefined) return importAndScreen(p, ctx);
  // The file was saved under a server path the submitter never chose: name it as they know it.
  const shown = p.displayName;
  try {
    return await importAndScreen(p, ctx);
  } catch (e) {
    if (e instanceof TiltakError)
      throw new TiltakError(e.code, e.message.replaceAll(p.path, shown), e.details);
    throw e;
  }
}

async function importAndScreen(p: RegisterImportParams, ctx: JobContext): Promise<JsonValue> {
  ctx.progress(0, 'reading and pseudonymising');
  const key = loadPseudonymKey({ keyFile: p.keyFile });
  const rules = p.rulesFile === undefined ? holfRuleSet() : loadRuleSet(p.rulesFile);
  const asOf = p.asOf === undefined ? undefined : parseYearMonth(p.asOf);
  const imported = await importRegisterFile(p.path, key);
  if (p.out !== undefined) {
    ctx.progress(0.4, 'writing pseudonymised Parquet');
    await writePseudonymisedParquet(imported.rows, p.out);
  }
  ctx.progress(0.5, 'screening');
  const run = await screen({ rows: imported.rows }, rules, {
    asOf,
    resultsOut: p.resultsOut,
    collect: p.collect,
  });
  const hide = p.displayName !== undefined;
  return toJson({
    import: {
      source: p.displayName ?? imported.source,
      format: imported.format,
      sourceSha256: imported.sourceSha256,
      ...imported.summary,
    },
    out: hide ? null : (p.out ?? null),
    resultsOut: hide ? null : (p.resultsOut ?? null),
    screening: run.summary,
    ...(run.families === undefined ? {} : { families: run.families }),
  });
}
