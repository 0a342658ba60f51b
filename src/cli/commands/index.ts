import type { Command } from 'commander';
import { register as registerAnalyze } from './analyze.ts';
import { register as registerAudit } from './audit.ts';
import { register as registerBoot } from './boot.ts';
import { register as registerConsort } from './consort.ts';
import { register as registerDemo } from './demo.ts';
import { register as registerFit } from './fit.ts';
import { register as registerImportMunicipalities } from './import-municipalities.ts';
import { register as registerLrt } from './lrt.ts';
import { register as registerMunicipality } from './municipality.ts';
import { register as registerPlan } from './plan.ts';
import { register as registerPower } from './power.ts';
import { register as registerRandomize } from './randomize.ts';
import { register as registerRegisters } from './registers.ts';
import { register as registerReliability } from './reliability.ts';
import { register as registerReport } from './report.ts';
import { register as registerRi } from './ri.ts';
import { register as registerServe } from './serve.ts';

/**
 * Register every sub-command. Each command lives in its own file under `commands/` and exports a
 * `register(program)` function; add new ones here.
 *
 * @example
 * registerCommands(new Command());
 */
export function registerCommands(program: Command): void {
  registerServe(program);
  registerFit(program);
  registerLrt(program);
  registerRandomize(program);
  registerRi(program);
  registerBoot(program);
  registerPower(program);
  registerReliability(program);
  registerMunicipality(program);
  registerRegisters(program);
  registerImportMunicipalities(program);
  registerPlan(program);
  registerAnalyze(program);
  registerConsort(program);
  registerReport(program);
  registerAudit(program);
  registerDemo(program);
}
