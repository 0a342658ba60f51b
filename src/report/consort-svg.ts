/**
 * The CONSORT 2010 flow diagram for a cluster-randomised trial (Campbell et al. 2012), drawn as SVG
 * by hand: enrolment, allocation, follow-up and analysis, with clusters (offices) and individuals
 * (families) at each stage. Box heights follow their wrapped text, so long reasons stay readable.
 */
import type { ConsortArm, ConsortCounts } from '../trial/consort.ts';
import { escapeHtml } from './html-escape.ts';

const FONT = 13;
const LINE = 17;
const PAD = 10;
/** Average advance of a 13 px sans-serif character, used to wrap text without a font engine. */
const CHAR = 6.6;
const STAGE_W = 26;
const GAP = 34;
const NAV_BLUE = '#0067c5';
const BORDER = '#262626';

interface Line {
  text: string;
  bold?: boolean;
  indent?: boolean;
  /** A wrapped continuation of a bullet: aligned after the bullet. */
  hang?: boolean;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  lines: Line[];
  fill: string;
}

/**
 * Options of {@link consortSvg}.
 *
 * @example
 * consortSvg(counts, { width: 760, clusters: 'schools', individuals: 'pupils' });
 */
export interface ConsortSvgOptions {
  /** Total width in pixels (default 900). */
  width?: number;
  /** Names of the cluster and individual units (default 'offices', 'families'). */
  clusters?: string;
  individuals?: string;
}

/**
 * Draw the CONSORT flow diagram of a cluster trial as a standalone SVG string (no external
 * references; text escaped). One column per arm from allocation on.
 *
 * @example
 * const svg = consortSvg(await consortCounts(store, trialId));
 * writeFileSync('consort.svg', svg);
 */
export function consortSvg(c: ConsortCounts, options: ConsortSvgOptions = {}): string {
  const W = options.width ?? 900;
  const cu = options.clusters ?? 'offices';
  const iu = options.individuals ?? 'families';
  const n = (x: number) => x.toLocaleString('en').replace(/,/g, '\u202f');
  const left = STAGE_W + 16;
  const inner = W - left - 8;
  const boxes: Box[] = [];
  const arrows: Array<[number, number, number, number]> = [];
  const stages: Array<{ label: string; y0: number; y1: number }> = [];

  // Enrolment: assessed, then excluded to the right, then randomised.
  let y = 8;
  const mainW = Math.min(360, inner * 0.46);
  const mainX = left + (inner * 0.5 - mainW) / 2 + inner * 0.04;
  const assessed = box(mainX, y, mainW, [
    { text: 'Assessed for eligibility', bold: true },
    { text: `${cap(cu)}: n = ${n(c.officesAssessed)}` },
    { text: `${cap(iu)} identified: n = ${n(c.familiesIdentified)}` },
  ]);
  boxes.push(assessed);
  const enrolY0 = y;
  y = assessed.y + assessed.h + GAP;
  const exclX = mainX + mainW + 40;
  const exclW = W - exclX - 8;
  const excludedFamilies = c.familiesExcluded.reduce((s, r) => s + r.families, 0);
  const excl = box(exclX, y - GAP / 2 - 10, exclW, [
    { text: 'Excluded', bold: true },
    { text: `${cap(cu)}: n = ${n(c.officesExcluded)}` },
    { text: `${cap(iu)}: n = ${n(excludedFamilies)}` },
    ...c.familiesExcluded.map((r) => ({
      text: `${r.reason} (n = ${n(r.families)})`,
      indent: true,
    })),
  ]);
  boxes.push(excl);
  const midX = mainX + mainW / 2;
  const branchY = excl.y + Math.min(excl.h / 2, 28);
  y = Math.max(y, excl.y + excl.h + 16);
  const randomised = box(mainX, y, mainW, [
    { text: 'Randomised', bold: true },
    { text: `${cap(cu)}: n = ${n(c.officesRandomised)}` },
    { text: `Eligible ${iu}: n = ${n(c.familiesEligible)}` },
  ]);
  boxes.push(randomised);
  arrows.push([midX, assessed.y + assessed.h, midX, randomised.y]);
  arrows.push([midX, branchY, excl.x, branchY]);
  stages.push({ label: 'Enrolment', y0: enrolY0, y1: randomised.y + randomised.h });

  // One column per arm from here on.
  const k = Math.max(c.arms.length, 1);
  const colGap = 24;
  const colW = (inner - colGap * (k - 1)) / k;
  const colX = (i: number) => left + i * (colW + colGap);
  const fork = randomised.y + randomised.h + GAP / 2;
  const row = (
    label: string,
    y0: number,
    linesOf: (a: ConsortArm) => Line[],
    from: number[] | null,
  ): { bottoms: number[]; y1: number } => {
    const made = c.arms.map((a, i) => box(colX(i), y0, colW, linesOf(a)));
    // Tall enough for the rotated stage label beside the row, whatever the text inside.
    const h = Math.max(...made.map((b) => b.h), label.length * 8 + 16);
    for (const [i, b] of made.entries()) {
      b.h = h;
      boxes.push(b);
      const cx = b.x + b.w / 2;
      if (from === null) arrows.push([cx, fork, cx, b.y]);
      else arrows.push([cx, from[i]!, cx, b.y]);
    }
    stages.push({ label, y0, y1: y0 + h });
    return { bottoms: made.map((b) => b.y + b.h), y1: y0 + h };
  };

  const alloc = row(
    'Allocation',
    fork + GAP / 2,
    (a) => [
      { text: `Allocated to ${a.arm}`, bold: true },
      { text: `${cap(cu)}: n = ${n(a.offices)}` },
      {
        text: `${cap(iu)} per office: mean ${fmt1(a.clusterSize.mean)} (range ${n(a.clusterSize.min)}–${n(a.clusterSize.max)})`,
      },
      { text: `Drawn: n = ${n(a.drawn)}; not drawn (ordinary follow-up): n = ${n(a.notDrawn)}` },
      { text: `Enrolled: n = ${n(a.enrolled)}` },
      ...(a.notEnrolled.length > 0
        ? [
            {
              text: `Drawn, not enrolled: n = ${n(a.notEnrolled.reduce((s, r) => s + r.families, 0))}`,
            },
            ...a.notEnrolled.map((r) => ({
              text: `${r.reason} (n = ${n(r.families)})`,
              indent: true,
            })),
          ]
        : []),
    ],
    null,
  );
  const follow = row(
    'Follow-up',
    alloc.y1 + GAP,
    (a) => [
      { text: 'Follow-up', bold: true },
      ...a.waves.flatMap((w) => {
        const lost = w.lost.reduce((s, r) => s + r.families, 0);
        return [
          { text: `${w.wave}: followed up n = ${n(w.followedUp)}; lost n = ${n(lost)}` },
          ...w.lost.map((r) => ({ text: `${r.reason} (n = ${n(r.families)})`, indent: true })),
        ];
      }),
    ],
    alloc.bottoms,
  );
  const analysed = row(
    'Analysis',
    follow.y1 + GAP,
    (a) => [
      { text: 'Analysed', bold: true },
      ...a.waves.map((w) => ({
        text: `${w.wave}: ${n(w.analysed)} ${iu} in ${n(w.officesAnalysed)} ${cu}`,
      })),
    ],
    follow.bottoms,
  );
  const H = analysed.y1 + 8;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${r(H)}" viewBox="0 0 ${W} ${r(H)}" role="img" aria-label="${escapeHtml(`CONSORT flow diagram, ${c.trial}`)}" font-family="'Source Sans Pro', Arial, Helvetica, sans-serif" font-size="${FONT}">`,
  );
  out.push(`<title>${escapeHtml(`CONSORT flow diagram: ${c.trial}`)}</title>`);
  out.push(
    '<defs><marker id="consort-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#262626"/></marker></defs>',
  );
  for (const s of stages) {
    const cy = (s.y0 + s.y1) / 2;
    out.push(
      `<rect x="2" y="${r(s.y0)}" width="${STAGE_W}" height="${r(s.y1 - s.y0)}" rx="4" fill="${NAV_BLUE}"/>`,
      `<text x="${r(2 + STAGE_W / 2)}" y="${r(cy)}" fill="#ffffff" font-weight="bold" text-anchor="middle" dominant-baseline="central" transform="rotate(-90 ${r(2 + STAGE_W / 2)} ${r(cy)})">${escapeHtml(s.label)}</text>`,
    );
  }
  // The fork from the randomised box to each arm.
  if (c.arms.length > 0) {
    const xs = c.arms.map((_, i) => colX(i) + colW / 2);
    out.push(
      `<path d="M${r(midX)},${r(randomised.y + randomised.h)} V${r(fork)} M${r(Math.min(...xs, midX))},${r(fork)} H${r(Math.max(...xs, midX))}" stroke="${BORDER}" stroke-width="1.5" fill="none"/>`,
    );
  }
  for (const [x1, y1, x2, y2] of arrows) {
    out.push(
      `<line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}" stroke="${BORDER}" stroke-width="1.5" marker-end="url(#consort-arrow)"/>`,
    );
  }
  for (const b of boxes) {
    out.push(
      `<rect x="${r(b.x)}" y="${r(b.y)}" width="${r(b.w)}" height="${r(b.h)}" rx="3" fill="${b.fill}" stroke="${BORDER}" stroke-width="1"/>`,
    );
    b.lines.forEach((l, i) => {
      out.push(
        `<text x="${r(b.x + PAD + (l.indent ? 14 : 0) + (l.hang ? 9 : 0))}" y="${r(b.y + PAD + FONT + i * LINE - 2)}"${l.bold ? ' font-weight="bold"' : ''} fill="#262626">${escapeHtml(l.text)}</text>`,
      );
    });
  }
  out.push('</svg>');
  return out.join('\n');
}

function box(x: number, y: number, w: number, content: Line[]): Box {
  const lines: Line[] = [];
  for (const l of content) {
    const prefix = l.indent ? '• ' : '';
    const max = Math.max(12, Math.floor((w - 2 * PAD - (l.indent ? 14 : 0)) / CHAR));
    wrap(prefix + l.text, max).forEach((t, i) => {
      lines.push({
        text: t,
        ...(l.bold ? { bold: true } : {}),
        ...(l.indent ? { indent: true } : {}),
        ...(l.indent && i > 0 ? { hang: true } : {}),
      });
    });
  }
  return { x, y, w, h: 2 * PAD + lines.length * LINE, lines, fill: '#ffffff' };
}

function wrap(text: string, max: number): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const out: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur === '') cur = w;
    else if (cur.length + 1 + w.length <= max) cur += ` ${w}`;
    else {
      out.push(cur);
      cur = w;
    }
  }
  if (cur !== '') out.push(cur);
  return out.length > 0 ? out : [''];
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function fmt1(x: number): string {
  return Number.isFinite(x) ? x.toFixed(1) : '–';
}

function r(x: number): string {
  return String(Math.round(x * 10) / 10);
}
