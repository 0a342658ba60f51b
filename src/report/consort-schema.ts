/**
 * Validation of CONSORT counts read from a file (`tiltak report --consort counts.json`), so that a
 * hand-edited or exported count file fails with the path of the bad field, not a broken diagram.
 */
import { z } from 'zod';
import { TiltakError } from '../stats/errors.ts';
import type { ConsortCounts } from '../trial/consort.ts';

const count = z.number().int().nonnegative();
const reasons = z.array(z.object({ reason: z.string().min(1), families: count }).strict());

const ConsortCountsSchema = z
  .object({
    trial: z.string().min(1),
    officesAssessed: count,
    officesExcluded: count,
    officesRandomised: count,
    familiesIdentified: count,
    familiesExcluded: reasons,
    familiesEligible: count,
    arms: z
      .array(
        z
          .object({
            arm: z.string().min(1),
            offices: count,
            drawn: count,
            notDrawn: count,
            enrolled: count,
            notEnrolled: reasons,
            clusterSize: z
              .object({ mean: z.number().nonnegative(), min: count, max: count })
              .strict(),
            waves: z.array(
              z
                .object({
                  wave: z.string().min(1),
                  followedUp: count,
                  lost: reasons,
                  analysed: count,
                  officesAnalysed: count,
                })
                .strict(),
            ),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/**
 * Validate parsed JSON as {@link ConsortCounts}; a bad field throws `BAD_CONSORT` naming its path.
 *
 * @example
 * const counts = parseConsortCounts(JSON.parse(readFileSync('consort.json', 'utf8')), 'consort.json');
 */
export function parseConsortCounts(json: unknown, source = '<input>'): ConsortCounts {
  const parsed = ConsortCountsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TiltakError(
      'BAD_CONSORT',
      `${source}: ${issue.path.join('.') || '(counts)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
