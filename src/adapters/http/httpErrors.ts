import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApplicationError } from '../../application/errors';

/** Every error answer: `{ "error": { "code", "message" } }`, codes stable, messages for humans. */
export const errorBodySchema = z.object({
  code: z.string().describe('stable, machine-readable: VALIDATION_FAILED, UNAUTHORIZED, KILL_SWITCH, ...'),
  message: z.string(),
});
export const errorEnvelopeSchema = z.object({ error: errorBodySchema });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export function errorEnvelope(code: string, message: string): ErrorEnvelope {
  return { error: { code, message } };
}

export class Unauthorized extends ApplicationError {
  override readonly name = 'Unauthorized';
  constructor(message = 'a valid API key is required (Authorization: Bearer <key>)') {
    super('UNAUTHORIZED', 401, message);
  }
}

export class Forbidden extends ApplicationError {
  override readonly name = 'Forbidden';
  constructor(message = 'this API key may not do that') {
    super('FORBIDDEN', 403, message);
  }
}

/** Codes for framework errors (body parsing, limits...), by HTTP status. */
const FRAMEWORK_CODES: Readonly<Record<number, string>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

const MAX_MESSAGE = 500;

/** Validation issues as "path: message"; the offending values are never echoed (they may be secrets). */
function describeValidation(error: FastifyError): string {
  const issues = (error.validation ?? []).slice(0, 5).map((issue) => {
    const where = issue.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
    const context = (error as { validationContext?: string }).validationContext ?? 'request';
    return `${context}${where ? `.${where}` : ''}: ${issue.message ?? 'invalid'}`;
  });
  return (issues.join('; ') || 'the request is invalid').slice(0, MAX_MESSAGE);
}

function hasCodeAndStatus(error: unknown): error is { code: string; httpStatus: number; message: string } {
  const candidate = error as { code?: unknown; httpStatus?: unknown };
  return typeof candidate.code === 'string' && typeof candidate.httpStatus === 'number';
}

/** Maps any error to the envelope; 5xx details go to the log only. */
export function registerErrorHandling(server: FastifyInstance): void {
  server.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.code(400).send(errorEnvelope('VALIDATION_FAILED', describeValidation(error)));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response does not match its schema');
      return reply.code(500).send(errorEnvelope('INTERNAL_ERROR', 'internal error'));
    }
    if (hasCodeAndStatus(error) && error.httpStatus >= 400 && error.httpStatus <= 599) {
      if (error.httpStatus >= 500) {
        const level = error.httpStatus === 503 ? 'warn' : 'error';
        request.log[level]({ err: error }, 'request failed');
        const message = error.httpStatus === 503 ? error.message : 'internal error';
        return reply.code(error.httpStatus).send(errorEnvelope(error.code, message.slice(0, MAX_MESSAGE)));
      }
      return reply
        .code(error.httpStatus)
        .send(errorEnvelope(error.code, error.message.slice(0, MAX_MESSAGE)));
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = FRAMEWORK_CODES[status] ?? 'BAD_REQUEST';
      const message = status === 400 ? 'the request body is not valid JSON or cannot be read' : error.message;
      return reply.code(status).send(errorEnvelope(code, message.slice(0, MAX_MESSAGE)));
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send(errorEnvelope('INTERNAL_ERROR', 'internal error'));
  });
  server.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(
        errorEnvelope('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`),
      );
  });
}
