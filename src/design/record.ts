/**
 * Allocation records: the auditable JSON file `tiltak randomize --out` writes and
 * `tiltak ri --design` reads. It holds the design (ids, K, scheme, balance columns and values,
 * metric, cutoff), the seed, the accepted space (inline as base64 masks when small, otherwise its
 * SHA-256 and the rule that regenerates it: rerun the deterministic enumeration of the design), the
 * chosen allocation, the tool version and a SHA-256 over the canonical serialisation of all that.
 */
import { z } from 'zod';
import pkg from '../../package.json' with { type: 'json' };
import { canonicalJson as canonicalJsonOf, sha256Hex } from '../io/canonical-json.ts';
import { TiltakError } from '../stats/errors.ts';
import type { AllocationSpace } from '../stats/inference/randomization-kernel.ts';
import { type DesignSpec, type RandomizeResult, randomize } from './randomize.ts';

/**
 * Record format identifier.
 *
 * @example
 * if (json.format !== RECORD_FORMAT) throw new Error('not an allocation record');
 */
export const RECORD_FORMAT = 'tiltak-allocation-record/1';
/**
 * Accepted spaces with at most this many mask words are stored inline (4 MB); larger ones are
 * stored as their SHA-256 and regenerated.
 *
 * @example
 * const inline = space.masks.length <= INLINE_MASK_WORDS;
 */
export const INLINE_MASK_WORDS = 1 << 20;

/**
 * An allocation record; see the module comment. Keys are snake_case because this is a file format.
 *
 * @example
 * const rec = allocationRecord(randomize(spec, 1));
 * verifyAllocationRecord(rec);
 */
export interface AllocationRecord {
  format: typeof RECORD_FORMAT;
  tool: { name: 'tiltak'; version: string };
  design: DesignSpec;
  seed: number;
  accepted_space: {
    total_schemes: number;
    schemes_scored: number;
    accepted: number;
    enumerated: boolean;
    words: number;
    masks_sha256: string | null;
    masks_base64: string | null;
    regenerate: string;
  };
  allocation: {
    treated_ids: string[];
    control_ids: string[];
    index: number | null;
    score: number | null;
  };
  sha256: string;
}

const specSchema = z.object({
  ids: z.array(z.string()),
  treated: z.number().int(),
  scheme: z.enum(['complete', 'stratified', 'pairs', 'constrained']),
  strata: z.array(z.string()).nullable(),
  pairs: z.array(z.string()).nullable(),
  balance: z
    .object({
      columns: z.array(z.string()),
      values: z.array(z.array(z.union([z.number(), z.string(), z.null()]))),
    })
    .nullable(),
  metric: z.enum(['l2', 'l1']),
  cutoff: z.number(),
  max_enumerate: z.number(),
  samples: z.number().int(),
});

const recordSchema = z.object({
  format: z.literal(RECORD_FORMAT),
  tool: z.object({ name: z.literal('tiltak'), version: z.string() }),
  design: specSchema,
  seed: z.number().int(),
  accepted_space: z.object({
    total_schemes: z.number(),
    schemes_scored: z.number(),
    accepted: z.number().int(),
    enumerated: z.boolean(),
    words: z.number().int(),
    masks_sha256: z.string().nullable(),
    masks_base64: z.string().nullable(),
    regenerate: z.string(),
  }),
  allocation: z.object({
    treated_ids: z.array(z.string()),
    control_ids: z.array(z.string()),
    index: z.number().int().nullable(),
    score: z.number().nullable(),
  }),
  sha256: z.string(),
});

/**
 * JSON with object keys sorted at every level and no whitespace: the byte string the record hash
 * is taken over, so that key order and formatting of a stored file do not matter. The same text as
 * the store's canonical JSON; what JSON cannot carry is a `BAD_RECORD` error here.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return canonicalJsonOf(value, 'BAD_RECORD');
}

/** SHA-256 of packed masks as little-endian 32-bit words, in the space's lexicographic order. */
function masksSha(masks: Uint32Array): string {
  const bytes = new Uint8Array(masks.length * 4);
  const view = new DataView(bytes.buffer);
  masks.forEach((m, i) => {
    view.setUint32(i * 4, m, true);
  });
  return sha256Hex(bytes);
}

function masksFromBase64(b64: string): Uint32Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length % 4 !== 0)
    throw new TiltakError('BAD_RECORD', 'accepted space masks are truncated');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const out = new Uint32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

function masksToBase64(masks: Uint32Array): string {
  const bytes = new Uint8Array(masks.length * 4);
  const view = new DataView(bytes.buffer);
  masks.forEach((m, i) => {
    view.setUint32(i * 4, m, true);
  });
  return Buffer.from(bytes).toString('base64');
}

/**
 * Hash of a record: SHA-256 of the canonical JSON of everything but the `sha256` field.
 *
 * @example
 * recordHash(rec) === rec.sha256; // true for an untouched record
 */
export function recordHash(record: Omit<AllocationRecord, 'sha256'> & { sha256?: string }): string {
  const { sha256: _ignored, ...content } = record;
  return sha256Hex(canonicalJson(content));
}

/**
 * Build the allocation record of a randomisation.
 *
 * @example
 * writeFileSync('allocation.json', JSON.stringify(allocationRecord(randomize(spec, 1)), null, 2));
 */
export function allocationRecord(result: RandomizeResult): AllocationRecord {
  const s = result.space;
  const inline = s !== null && s.masks.length <= INLINE_MASK_WORDS;
  const content: Omit<AllocationRecord, 'sha256'> = {
    format: RECORD_FORMAT,
    tool: { name: 'tiltak', version: pkg.version },
    design: result.spec,
    seed: result.seed,
    accepted_space: {
      total_schemes: result.totalSchemes,
      schemes_scored: s ? s.schemesScored : result.totalSchemes,
      accepted: result.acceptedSchemes,
      enumerated: s ? s.enumerated : true,
      words: s ? s.words : 0,
      masks_sha256: s ? masksSha(s.masks) : null,
      masks_base64: inline ? masksToBase64(s.masks) : null,
      regenerate:
        s === null
          ? `every allocation of the ${result.spec.scheme} design; the draw is randomize(design, seed)`
          : 'randomize(design, seed) with this tool version: revolving-door enumeration (or seeded sampling beyond max_enumerate), lowest floor(cutoff*S) scores, ties in lexicographic order; masks in lexicographic order of treated sets, cluster g = bit g%32 of word g/32, little-endian',
    },
    allocation: {
      treated_ids: result.treatedIds,
      control_ids: result.controlIds,
      index: result.chosenIndex,
      score: result.chosenScore,
    },
  };
  return { ...content, sha256: recordHash(content) };
}

/**
 * Check a record (parsed JSON of unknown shape): its schema, its hash and the hash of its inline
 * masks; with `regenerate`, also rerun the design from its seed and compare the accepted space and
 * the draw. Returns the typed record. Throws `BAD_RECORD` for a malformed record and
 * `HASH_MISMATCH` when anything does not match.
 *
 * @example
 * const rec = verifyAllocationRecord(JSON.parse(readFileSync('allocation.json', 'utf8')));
 */
export function verifyAllocationRecord(
  record: unknown,
  options: { regenerate?: boolean } = {},
): AllocationRecord {
  const parsed = recordSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TiltakError(
      'BAD_RECORD',
      `not an allocation record: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const rec = parsed.data as AllocationRecord;
  const h = recordHash(rec);
  if (h !== rec.sha256) {
    throw new TiltakError(
      'HASH_MISMATCH',
      `allocation record hash ${rec.sha256.slice(0, 12)}… does not match its content (${h.slice(0, 12)}…)`,
    );
  }
  const a = rec.accepted_space;
  if (a.masks_base64 !== null && masksSha(masksFromBase64(a.masks_base64)) !== a.masks_sha256) {
    throw new TiltakError('HASH_MISMATCH', 'the inline accepted space does not match its SHA-256');
  }
  if (options.regenerate) {
    const again = allocationRecord(randomize(rec.design, rec.seed, { validity: false }));
    if (again.accepted_space.masks_sha256 !== a.masks_sha256) {
      throw new TiltakError(
        'HASH_MISMATCH',
        'regenerating the design gives a different accepted space than the record',
      );
    }
    if (canonicalJson(again.allocation) !== canonicalJson(rec.allocation)) {
      throw new TiltakError('HASH_MISMATCH', 'regenerating the draw gives a different allocation');
    }
  }
  return rec;
}

/**
 * The allocation space a verified record describes, over its clusters in `design.ids` order:
 * complete, blocked by stratum or pair, or the constrained accepted space (decoded inline or
 * regenerated and checked against its SHA-256).
 *
 * @example
 * const space = recordSpace(verifyAllocationRecord(json));
 */
export function recordSpace(rec: AllocationRecord): AllocationSpace {
  const d = rec.design;
  const n = d.ids.length;
  if (d.scheme === 'complete') return { kind: 'complete', n, k: d.treated };
  if (d.scheme === 'stratified' || d.scheme === 'pairs') {
    const labels = (d.scheme === 'pairs' ? d.pairs : d.strata)!;
    const codes = new Map<string, number>();
    [...new Set(labels)].sort().forEach((l, i) => {
      codes.set(l, i);
    });
    const blockOf = Int32Array.from(labels, (l) => codes.get(l)!);
    const k = new Int32Array(codes.size);
    const treated = new Set(rec.allocation.treated_ids);
    d.ids.forEach((id, g) => {
      if (treated.has(id)) k[blockOf[g]!]!++;
    });
    return { kind: 'blocked', blockOf, treatedPerBlock: k };
  }
  const a = rec.accepted_space;
  let masks: Uint32Array;
  if (a.masks_base64 !== null) masks = masksFromBase64(a.masks_base64);
  else {
    const again = randomize(d, rec.seed, { validity: false });
    masks = again.space!.masks;
    if (masksSha(masks) !== a.masks_sha256) {
      throw new TiltakError(
        'HASH_MISMATCH',
        'the regenerated accepted space does not match the SHA-256 in the record',
      );
    }
  }
  if (masks.length !== a.accepted * a.words || a.words !== Math.ceil(n / 32)) {
    throw new TiltakError(
      'BAD_RECORD',
      `the accepted space holds ${masks.length} words, expected ${a.accepted} schemes × ${a.words}`,
    );
  }
  return { kind: 'masks', n, words: a.words, count: a.accepted, masks };
}
