import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { Forbidden, Unauthorized } from '../httpErrors';
import { bearerToken } from './apiKeys';
import type { ApiKeyStore } from './apiKeyStore';
import type { Principal, Role } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the authentication hook; `null` on public routes. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** No API key needed (health checks, docs). Every other route requires one. */
    public?: boolean;
  }
}

/**
 * Every route needs a valid API key unless its config says `public: true`. Runs as a preValidation
 * hook: after the per-key rate limit, before body validation (so no key → 401, never a 400 that
 * tells an anonymous caller about the body).
 */
export function registerAuthentication(server: FastifyInstance, keys: ApiKeyStore): void {
  server.decorateRequest('principal', null);
  server.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.is404 || request.routeOptions.config.public === true || isDocsRoute(request)) return;
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw new Unauthorized();
    const principal = await keys.verify(token);
    if (principal === null) throw new Unauthorized('unknown or revoked API key');
    request.principal = principal;
    request.log = request.log.child({ keyId: principal.keyId });
  });
}

function isDocsRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url ?? '';
  return url === '/docs' || url.startsWith('/docs/');
}

/** The authenticated caller; throws 401 if a route forgot that it is public. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Unauthorized();
  return request.principal;
}

/**
 * Route-level guard: `{ preValidation: requireRole('ops') }`. 403 for a valid key of another role.
 * (Authentication ran before it, so the principal is set.)
 */
export function requireRole(...roles: readonly Role[]): preValidationAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const principal = principalOf(request);
    if (!roles.includes(principal.role))
      throw new Forbidden(`this route needs the ${roles.join(' or ')} role`);
  };
}

/** A trader may touch only its own user's data; ops anyone's. Throws 403 otherwise. */
export function assertMayActForUser(principal: Principal, userId: string): void {
  if (principal.role === 'ops') return;
  if (principal.userId !== userId) throw new Forbidden('a trader key may only act for its own user');
}
