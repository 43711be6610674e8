import { z } from 'zod';
import { ApplicationError } from '../../../application/errors';
import { isWellFormedApiKey } from '../auth/apiKeys';
import type { ApiKeyInfo, ApiKeyStore } from '../auth/apiKeyStore';
import { actorOf } from '../auth/principal';
import { principalOf, requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { errorEnvelopeSchema } from '../httpErrors';

const apiKeyViewSchema = z.object({
  keyId: z.string().describe('the public part of the key (never the key itself)'),
  role: z.enum(['trader', 'ops']),
  userId: z.string().nullable().describe('the user of a trader key; null for ops'),
  name: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable().describe('null while the key is valid'),
});
const keyIdSchema = z
  .string()
  .min(8)
  .max(40)
  .regex(/^[A-Za-z0-9_-]+$/)
  .refine((text) => !isWellFormedApiKey(text), 'a key id, not the key itself');
const errors = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  503: errorEnvelopeSchema,
};

/** An operator revoking the key they are calling with would lock themselves out: refused. */
export class CannotRevokeOwnKey extends ApplicationError {
  override readonly name = 'CannotRevokeOwnKey';
  constructor() {
    super(
      'CANNOT_REVOKE_OWN_KEY',
      409,
      'this is the key of the request itself; revoke it with another ops key or `ledger keys revoke`',
    );
  }
}

const view = (key: ApiKeyInfo): z.infer<typeof apiKeyViewSchema> => ({
  keyId: key.keyId,
  role: key.role,
  userId: key.userId,
  name: key.name,
  createdAt: key.createdAt,
  revokedAt: key.revokedAt,
});

/** GET /v1/ops/keys and DELETE /v1/ops/keys/:keyId (ops only): list and revoke API keys. */
export function registerApiKeyRoutes(server: AppServer, keys: ApiKeyStore): void {
  const app = typed(server);
  const opsOnly = requireRole('ops');

  app.get(
    '/v1/ops/keys',
    {
      preValidation: opsOnly,
      schema: {
        tags: ['ops'],
        summary: 'API keys, newest first (ids and metadata; never a key or its hash)',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(1_000) }),
        response: { 200: z.object({ keys: z.array(apiKeyViewSchema) }), ...errors },
      },
    },
    async (request) => ({ keys: (await keys.list({ limit: request.query.limit })).map(view) }),
  );

  app.delete(
    '/v1/ops/keys/:keyId',
    {
      preValidation: opsOnly,
      schema: {
        tags: ['ops'],
        summary:
          'Revoke an API key: every instance refuses it from the next request on (404 unknown, 409 already revoked or your own key)',
        params: z.strictObject({ keyId: keyIdSchema }),
        response: {
          200: z.object({ revoked: apiKeyViewSchema }),
          404: errorEnvelopeSchema,
          409: errorEnvelopeSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.keyId === request.params.keyId) throw new CannotRevokeOwnKey();
      const revoked = await keys.revoke(request.params.keyId);
      request.log.warn({ revokedKeyId: revoked.keyId, actor: actorOf(principal) }, 'API key revoked');
      return { revoked: view(revoked) };
    },
  );
}
