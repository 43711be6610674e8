import { randomUUID } from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { bearerToken, hashApiKey, isWellFormedApiKey, maskApiKeys } from './auth/apiKeys';
import type { ApiKeyStore } from './auth/apiKeyStore';
import type { InFlightWork } from '../../application/inFlightWork';
import { registerAuthentication } from './auth/authenticate';
import { errorEnvelope, registerErrorHandling } from './httpErrors';

export type AppServer = FastifyInstance;

export interface BuildServerOptions {
  readonly logger: Logger;
  /** Every route handler runs inside it, so that a shutdown can wait for handlers still running. */
  readonly inFlight: InFlightWork;
  readonly keys: ApiKeyStore;
  /** Requests per minute per API key (per address for requests without a well-formed key). */
  readonly rateLimitPerMin: number;
  /** Largest JSON body accepted. */
  readonly bodyLimitBytes?: number;
  readonly version?: string;
}

/** A client's request id is kept when it is short and plain; otherwise a fresh UUID. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The caller's request id when it is plain and holds no API key (it goes on every log line and back in
 * the answer's header: a key pasted into it by mistake must not), else a fresh one.
 */
function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const usable = value !== undefined && REQUEST_ID_PATTERN.test(value) && maskApiKeys(value) === value;
  return usable ? value : randomUUID();
}

/**
 * The rate-limit bucket: the whole key's hash, so that one client cannot starve the others. Not the
 * key's public id: that is logged and recorded as the actor, and anyone who knows it could otherwise
 * use up the real key's budget with forged keys that only share it (each answered 401).
 */
function rateLimitKey(request: FastifyRequest): string {
  const token = bearerToken(request.headers.authorization);
  return token !== undefined && isWellFormedApiKey(token) ? `key:${hashApiKey(token)}` : `ip:${request.ip}`;
}

/**
 * The fastify instance with everything every route shares: zod validation and serialization,
 * request ids and pino request logs, security headers, per-key rate limits, API-key
 * authentication, the error envelope and the OpenAPI document at /docs. Routes are added by the
 * app's modules (src/app.ts) before `ready()`.
 */
export async function buildServer(options: BuildServerOptions): Promise<AppServer> {
  const server = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    requestIdHeader: false,
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024,
    // Finish requests in flight on close; idle keep-alive sockets are closed at once.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  server.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function trackedHandler(this: unknown, request, reply) {
      return options.inFlight.run(async () => handler.call(this as never, request, reply));
    };
  });
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  // While closing, answers in flight tell keep-alive clients to go, so close() does not wait on them.
  let closing = false;
  server.addHook('preClose', async () => {
    closing = true;
  });
  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });
  registerErrorHandling(server);

  await server.register(fastifyHelmet, { global: true });
  await server.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimitPerMin,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    allowList: (request) => request.routeOptions.config.public === true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      httpStatus: 429,
      message: `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`,
    }),
  });
  await server.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'trade-ledger API',
        description: 'Gated, idempotent trade submission with reconcile-on-unknown-outcome.',
        version: options.version ?? '0.1.0',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'an API key (ledger keys create)' },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await server.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  registerAuthentication(server, options.keys);
  return server;
}

/** The zod-typed view of the server, for route files. */
export function typed(server: AppServer) {
  return server.withTypeProvider<ZodTypeProvider>();
}

export { errorEnvelope };
