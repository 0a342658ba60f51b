import { parseMunicipalityTable } from '../../analysis/municipality/read.ts';
import type { MunicipalityRow } from '../../analysis/municipality/schema.ts';
import { simulateMunicipalities } from '../../analysis/municipality/simulate.ts';
import { spendingModel } from '../../analysis/municipality/spending-model.ts';
import { readCsv } from '../../io/read-csv.ts';
import {
  municipalityCoefficientSpec,
  spendingScatterSpec,
} from '../../report/charts/municipality.ts';
import { renderVegaLiteSvg } from '../../report/charts/render-svg.ts';

/**
 * The municipality analysis page: the spending model (coefficients with CIs and p-values, the
 * KVP-expense slope in municipalities under and over 10,000 inhabitants), its coefficient plot and
 * the scatter with fitted lines, both as SVG. Reads a municipality CSV when one is given, else
 * uses the simulated demo table (seed 2012, 350 municipalities) and says so.
 *
 * @example
 * const page = await municipalityAnalysis(undefined);
 * page.source; // 'simulated (seed 2012, 350 municipalities)'
 */
export async function municipalityAnalysis(csvPath: string | undefined) {
  let rows: MunicipalityRow[];
  let source: string;
  if (csvPath === undefined) {
    rows = simulateMunicipalities({ seed: 2012, count: 350, years: [2011] });
    source = 'simulated (seed 2012, 350 municipalities)';
  } else {
    rows = parseMunicipalityTable(readCsv(csvPath));
    source = csvPath;
  }
  const result = spendingModel(rows);
  const [coefficientSvg, scatterSvg] = [
    await renderVegaLiteSvg(municipalityCoefficientSpec(result)),
    await renderVegaLiteSvg(spendingScatterSpec(rows, result)),
  ];
  return {
    source,
    kind: result.kind,
    years: result.years,
    municipalities: result.municipalities,
    small: result.small,
    formula: result.formula,
    vcov: result.summary.vcov,
    coefficients: result.summary.coefficients,
    slopes: result.slopes,
    coefficientSvg,
    scatterSvg,
  };
}
