import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isTiltakError } from '../stats/errors.ts';

const STATUS: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  DUPLICATE: 409,
  RESPONSE_SUBMITTED: 409,
  ALLOCATION_IMMUTABLE: 409,
  ALREADY_DRAWN: 409,
  NO_ANALYSIS: 409,
  JOB_NOT_FOUND: 404,
  NO_CHROMIUM: 503,
  PSEUDONYM_KEY_MISSING: 409,
  NO_SCREENING: 409,
  AMBIGUOUS_OFFICE: 409,
  NO_OFFICES: 409,
};

/**
 * The HTTP status for a Tiltak error code: 401/403/404/409 where they apply, else 400 (the
 * request was wrong; the message says how).
 *
 * @example
 * statusForCode('FORBIDDEN'); // 403
 */
export function statusForCode(code: string): number {
  return STATUS[code] ?? 400;
}

/**
 * Fastify error handler: every error becomes `{ code, message }`. Internal errors are logged and
 * answered with a generic message, so no stack or SQL reaches the browser.
 *
 * @example
 * app.setErrorHandler(errorHandler);
 */
export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (isTiltakError(error))
    return reply.code(statusForCode(error.code)).send({ code: error.code, message: error.message });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const where = first?.instancePath ? `${first.instancePath.slice(1)}: ` : '';
    return reply
      .code(400)
      .send({ code: 'INVALID_INPUT', message: `${where}${first?.message ?? 'invalid request'}` });
  }
  const status = error.statusCode ?? 500;
  if (status < 500)
    return reply.code(status).send({ code: error.code ?? 'BAD_REQUEST', message: error.message });
  request.log.error({ err: error }, 'internal error');
  return reply.code(500).send({ code: 'INTERNAL', message: 'internal server error' });
}
