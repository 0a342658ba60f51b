/**
 * Zod schemas of what the runner returns, for the server's response validation and OpenAPI
 * description (fastify-type-provider-zod). Results are described as unknown JSON: their shape
 * depends on the kind.
 */
import { z } from 'zod';

/**
 * Schema of a `JobInfo` (src/jobs/types.ts).
 *
 * @example
 * app.get('/api/jobs/:id', { schema: { response: { 200: jobInfoSchema } } }, handler);
 */
export const jobInfoSchema = z.object({
  id: z.string(),
  kind: z.string(),
  actor: z.string(),
  label: z.string().nullable(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  progress: z.object({ fraction: z.number().min(0).max(1), message: z.string() }),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  result: z.unknown(),
  error: z
    .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
    .nullable(),
});
