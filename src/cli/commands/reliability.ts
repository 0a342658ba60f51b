import type { Command } from 'commander';
import { type CsvTable, isMissingCell, parseNumber, readCsv } from '../../io/read-csv.ts';
import { TiltakError } from '../../stats/errors.ts';
import { type AlphaResult, cronbachAlpha } from '../../stats/reliability/cronbach-alpha.ts';
import { type OmegaResult, omegaTotal } from '../../stats/reliability/omega.ts';

interface ReliabilityOptions {
  items: string;
  keys?: string;
  range?: string;
  json?: boolean;
}

/**
 * Register `tiltak reliability DATA.csv --items a,b,c [--keys a,-b] [--range 1,5] [--json]`:
 * Cronbach's alpha (raw and standardised, as psych::alpha), item–rest correlations, alpha if an
 * item is dropped, and omega total from a one-factor model.
 *
 * @example
 * register(program);
 * await program.parseAsync(['node', 'tiltak', 'reliability', 'wai.csv', '--items', 'wai01,wai02,wai03']);
 */
export function register(program: Command): void {
  program
    .command('reliability')
    .description(
      'Internal consistency of a scale: Cronbach alpha (as psych::alpha), item-rest r, alpha if dropped, one-factor omega total',
    )
    .argument('<data>', 'CSV file, one row per respondent (NA or empty = missing)')
    .requiredOption('--items <names>', 'comma-separated item columns, at least two')
    .option('--keys <keys>', "reverse-keyed items marked with '-', e.g. a,-b (as psych keys)")
    .option('--range <min,max>', 'scale bounds for reversing items (default: observed min and max)')
    .option('--json', 'print one JSON object instead of a table')
    .action((data: string, opts: ReliabilityOptions) => {
      const table = readCsv(data);
      const items = parseList(opts.items, '--items');
      if (items.length < 2) {
        throw new TiltakError(
          'TOO_FEW_ITEMS',
          `--items names ${items.length} item(s); reliability needs at least 2`,
        );
      }
      const x = itemMatrix(table, items);
      const keys = opts.keys === undefined ? undefined : parseKeys(opts.keys, items);
      const range = opts.range === undefined ? undefined : parseRange(opts.range);
      const keyOpts = {
        ...(keys === undefined ? {} : { keys }),
        ...(range === undefined ? {} : { reverseRange: range }),
      };
      const alpha = cronbachAlpha(x, table.nrow, items.length, items, keyOpts);
      const omega =
        items.length >= 3 ? omegaTotal(x, table.nrow, items.length, items, keyOpts) : null;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(toJson(data, alpha, omega))}\n`);
      } else {
        process.stdout.write(toTable(data, alpha, omega));
      }
    });
}

function parseList(raw: string, flag: string): string[] {
  const names = raw.split(',').map((s) => s.trim());
  if (names.some((s) => s === '')) {
    throw new TiltakError('BAD_ARGUMENT', `${flag} '${raw}' has an empty name`);
  }
  const seen = new Set<string>();
  for (const nm of names) {
    const bare = nm.replace(/^-/, '');
    if (seen.has(bare)) throw new TiltakError('BAD_ARGUMENT', `${flag} names '${bare}' twice`);
    seen.add(bare);
  }
  return names;
}

function parseKeys(raw: string, items: readonly string[]): number[] {
  const keys = items.map(() => 1);
  for (const entry of parseList(raw, '--keys')) {
    const name = entry.replace(/^-/, '');
    const j = items.indexOf(name);
    if (j === -1) {
      throw new TiltakError(
        'UNKNOWN_COLUMN',
        `--keys names '${name}', which is not one of --items (${items.join(', ')})`,
        { column: name },
      );
    }
    keys[j] = entry.startsWith('-') ? -1 : 1;
  }
  return keys;
}

function parseRange(raw: string): { min: number; max: number } {
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v)) || !(parts[0]! < parts[1]!)) {
    throw new TiltakError(
      'BAD_ARGUMENT',
      `--range '${raw}' must be two numbers min,max with min < max`,
    );
  }
  return { min: parts[0]!, max: parts[1]! };
}

/** Column-major n × k matrix of the item columns, refusing unknown and non-numeric columns. */
function itemMatrix(table: CsvTable, items: readonly string[]): Float64Array {
  const n = table.nrow;
  const x = new Float64Array(n * items.length);
  items.forEach((name, j) => {
    const col = table.columns.get(name);
    if (col === undefined) {
      throw new TiltakError(
        'UNKNOWN_COLUMN',
        `${table.source}: no column '${name}' (columns: ${table.names.join(', ')})`,
        { column: name },
      );
    }
    if (col.kind === 'character') {
      const decimalComma = table.delimiter === ';';
      const i = col.values.findIndex(
        (v) => v !== null && !isMissingCell(v) && Number.isNaN(parseNumber(v, decimalComma)),
      );
      const value = col.values[i];
      throw new TiltakError(
        'NON_NUMERIC',
        `${table.source}: column '${name}' row ${i + 1} has non-numeric value '${value}'`,
        { column: name, row: i + 1, value },
      );
    }
    x.set(col.values, j * n);
  });
  return x;
}

function toJson(file: string, a: AlphaResult, om: OmegaResult | null) {
  const t = a.total;
  return {
    file,
    n_obs: a.nObs,
    n_items: a.nItems,
    raw_alpha: t.rawAlpha,
    std_alpha: t.stdAlpha,
    g6_smc: t.g6,
    average_r: t.averageR,
    s_n: t.signalNoise,
    ase: t.ase,
    feldt_lower: t.feldtLower,
    feldt_upper: t.feldtUpper,
    mean: t.mean,
    sd: t.sd,
    median_r: t.medianR,
    omega_total: om === null ? null : om.omegaTotal,
    omega_general: om === null ? null : om.omegaGeneral,
    items: a.items.map((it) => ({
      item: it.name,
      key: it.key,
      n: it.n,
      raw_r: it.rawR,
      std_r: it.stdR,
      r_cor: it.rCor,
      r_drop: it.rDrop,
      mean: it.mean,
      sd: it.sd,
      raw_alpha_if_dropped: it.dropped.rawAlpha,
      std_alpha_if_dropped: it.dropped.stdAlpha,
      g6_if_dropped: it.dropped.g6,
      average_r_if_dropped: it.dropped.averageR,
      loading: om === null ? null : om.items.find((o) => o.name === it.name)!.loading,
    })),
    warnings: [...a.warnings, ...(om?.warnings ?? [])].map((w) => ({
      code: w.code,
      message: w.message,
    })),
  };
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'NA');

function toTable(file: string, a: AlphaResult, om: OmegaResult | null): string {
  const t = a.total;
  const lines = [
    `Reliability of ${a.nItems} items, ${a.nObs} rows (${file})`,
    '',
    `  raw alpha            ${f3(t.rawAlpha)}   ASE ${f3(t.ase)}, Feldt 95% CI ${f3(t.feldtLower)} to ${f3(t.feldtUpper)}`,
    `  standardised alpha   ${f3(t.stdAlpha)}`,
    `  G6(smc)              ${f3(t.g6)}   average r ${f3(t.averageR)}, median r ${f3(t.medianR)}`,
  ];
  if (om !== null) lines.push(`  omega total          ${f3(om.omegaTotal)}   (one-factor model)`);
  lines.push('');
  const header = [
    'item',
    'key',
    'n',
    'mean',
    'sd',
    'r.drop',
    'alpha if dropped',
    'std alpha if dropped',
  ];
  const rows = a.items.map((it) => [
    it.name,
    it.key < 0 ? '-' : '+',
    String(it.n),
    f3(it.mean),
    f3(it.sd),
    f3(it.rDrop),
    f3(it.dropped.rawAlpha),
    f3(it.dropped.stdAlpha),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`;
  lines.push(fmt(header), ...rows.map(fmt));
  for (const w of [...a.warnings, ...(om?.warnings ?? [])])
    lines.push('', `  warning: ${w.message}`);
  return `${lines.join('\n')}\n`;
}
