import { z } from 'zod';
import { ApplicationError } from '../../../application/errors';
import type { UserPolicyService } from '../../../application/policy/userPolicyService';
import {
  confidenceLevelSchema,
  userIdSchema,
  type UserPolicyCommand,
  type UserPolicyState,
} from '../../../domain/policy';
import { actorOf } from '../auth/principal';
import { principalOf, requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { errorEnvelopeSchema } from '../httpErrors';

export const userPolicyViewSchema = z.object({
  userId: z.string(),
  tradingEnabled: z.boolean(),
  confidenceLevel: confidenceLevelSchema,
  orderLimitEur: z
    .string()
    .nullable()
    .describe("the user's override (it only lowers the level's limit), or null"),
  effectiveLimitEur: z
    .string()
    .nullable()
    .describe('the per-order limit that applies; null = capped by balance (MATURE)'),
  pendingPromotion: z
    .object({
      fromLevel: confidenceLevelSchema,
      toLevel: confidenceLevelSchema,
      proposedAt: z.string(),
      proposedBy: z.string(),
    })
    .nullable(),
  updatedAt: z.string().nullable(),
  revision: z.number().int().describe('the policy stream revision; -1 while the user has no events'),
});

export function presentUserPolicy(state: UserPolicyState): z.infer<typeof userPolicyViewSchema> {
  const pending = state.pendingPromotion;
  return {
    userId: state.userId,
    tradingEnabled: state.tradingEnabled,
    confidenceLevel: state.confidenceLevel,
    orderLimitEur: state.orderLimitOverrideEur,
    effectiveLimitEur: state.effectiveLimitEur,
    pendingPromotion:
      pending === null
        ? null
        : {
            fromLevel: pending.fromLevel,
            toLevel: pending.toLevel,
            proposedAt: pending.proposedAt,
            proposedBy: pending.proposedBy,
          },
    updatedAt: state.updatedAt,
    revision: state.revision,
  };
}

const params = z.object({ userId: userIdSchema });
const errors = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  409: errorEnvelopeSchema,
  422: errorEnvelopeSchema,
  503: errorEnvelopeSchema,
};

/** GET|PUT /v1/ops/users/:userId/policy (ops only). The confidence level changes only by promotion. */
export function registerUserPolicyRoutes(server: AppServer, policy: UserPolicyService): void {
  const app = typed(server);
  const opsOnly = requireRole('ops');

  app.get(
    '/v1/ops/users/:userId/policy',
    {
      preValidation: opsOnly,
      schema: {
        tags: ['ops'],
        summary: "A user's trading policy",
        params,
        response: { 200: userPolicyViewSchema, ...errors },
      },
    },
    async (request) => presentUserPolicy(await policy.read(request.params.userId)),
  );

  app.put(
    '/v1/ops/users/:userId/policy',
    {
      preValidation: opsOnly,
      schema: {
        tags: ['ops'],
        summary: 'Enable or disable trading, set or clear (null) the order limit override',
        params,
        body: z.strictObject({
          tradingEnabled: z.boolean().optional(),
          orderLimitEur: z
            .string()
            .max(32)
            .nullable()
            .optional()
            .describe('EUR, at most 2 decimals; null clears it'),
          confidenceLevel: confidenceLevelSchema
            .optional()
            .describe('read-only here: must equal the current level'),
          reason: z.string().min(1).max(1000),
        }),
        response: { 200: userPolicyViewSchema.extend({ changed: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const { userId } = request.params;
      const body = request.body;
      const actor = actorOf(principalOf(request));
      if (body.confidenceLevel !== undefined) {
        const current = await policy.read(userId);
        if (current.confidenceLevel !== body.confidenceLevel) {
          throw new ApplicationError(
            'CONFIDENCE_LEVEL_READ_ONLY',
            422,
            `the level is ${current.confidenceLevel}; it changes only when an operator approves a promotion`,
          );
        }
      }
      const commands: UserPolicyCommand[] = [];
      if (body.tradingEnabled !== undefined) {
        commands.push({
          type: body.tradingEnabled ? 'EnableTrading' : 'DisableTrading',
          actor,
          reason: body.reason,
        });
      }
      if (body.orderLimitEur === null)
        commands.push({ type: 'ClearOrderLimitOverride', actor, reason: body.reason });
      else if (body.orderLimitEur !== undefined) {
        commands.push({
          type: 'SetOrderLimitOverride',
          actor,
          reason: body.reason,
          limitEur: body.orderLimitEur,
        });
      }
      const result = await policy.execute(userId, commands);
      request.log.info({ userId, actor, changed: result.changed }, 'user policy set');
      return { ...presentUserPolicy(result.state), changed: result.changed };
    },
  );
}
