import { z } from 'zod';
import type {
  PromotionReviewService,
  PendingPromotionView,
} from '../../../application/promotions/promotionReviewService';
import { confidenceLevelSchema, userIdSchema, type UserPolicyState } from '../../../domain/policy';
import { actorOf } from '../auth/principal';
import { principalOf, requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { errorEnvelopeSchema } from '../httpErrors';

const rate = z.string().describe('a fraction with 6 decimals, e.g. "0.990000"');
const pendingSchema = z.object({
  userId: z.string(),
  fromLevel: confidenceLevelSchema,
  toLevel: confidenceLevelSchema,
  proposedAt: z.string(),
  proposedBy: z.string(),
  reason: z.string(),
  stats: z.object({
    executionsPastGates: z.number().int(),
    successful: z.number().int(),
    reconciled: z.number().int(),
    successRate: rate,
    recoveryRate: rate,
  }),
  tradingEnabled: z.boolean(),
  currentLimitEur: z.string().nullable().describe('the per-order limit now; null = capped by balance'),
  newLimitEur: z.string().nullable().describe('the per-order limit after approval'),
});
const decisionSchema = z.object({
  userId: z.string(),
  decision: z.enum(['approved', 'rejected']),
  confidenceLevel: confidenceLevelSchema,
  effectiveLimitEur: z.string().nullable(),
  decidedBy: z.string(),
  note: z.string(),
});
const errors = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  404: errorEnvelopeSchema,
  409: errorEnvelopeSchema,
  422: errorEnvelopeSchema,
  503: errorEnvelopeSchema,
};
const params = z.object({ userId: userIdSchema });
const body = z.strictObject({
  note: z.string().trim().min(1).max(1000).describe('why (recorded in the user-policy stream)'),
  toLevel: confidenceLevelSchema
    .optional()
    .describe('the level you reviewed; refused (409) if the pending proposal is for another'),
});

function present(view: PendingPromotionView) {
  return { ...view, stats: { ...view.stats } };
}

function decided(
  userId: string,
  decision: 'approved' | 'rejected',
  state: UserPolicyState,
  actor: string,
  note: string,
) {
  return {
    userId,
    decision,
    confidenceLevel: state.confidenceLevel,
    effectiveLimitEur: state.effectiveLimitEur,
    decidedBy: actor,
    note,
  };
}

/**
 * GET /v1/ops/promotions (the queue the hourly job fills) and POST /v1/ops/promotions/:userId/approve
 * | /reject `{ note }`. Ops only. Approval records PromotionApproved + ConfidenceLevelChanged: the new
 * limit applies to the user's next order, and the user is notified.
 */
export function registerOpsPromotionsRoutes(server: AppServer, review: PromotionReviewService): void {
  const app = typed(server);
  const opsOnly = requireRole('ops');

  app.get(
    '/v1/ops/promotions',
    {
      preValidation: opsOnly,
      schema: {
        tags: ['ops'],
        summary: 'Promotions waiting for review (oldest proposal first)',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ promotions: z.array(pendingSchema) }), ...errors },
      },
    },
    async (request) => ({ promotions: (await review.listPending(request.query.limit)).map(present) }),
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post(
      `/v1/ops/promotions/:userId/${action}`,
      {
        preValidation: opsOnly,
        schema: {
          tags: ['ops'],
          summary:
            action === 'approve'
              ? "Approve the user's pending promotion: the new limit applies to the next order"
              : "Reject the user's pending promotion",
          params,
          body,
          response: { 200: decisionSchema, ...errors },
        },
      },
      async (request) => {
        const { userId } = request.params;
        const actor = actorOf(principalOf(request));
        const input = {
          note: request.body.note,
          actor,
          ...(request.body.toLevel ? { toLevel: request.body.toLevel } : {}),
        };
        const state =
          action === 'approve' ? await review.approve(userId, input) : await review.reject(userId, input);
        request.log.info({ userId, actor, action, level: state.confidenceLevel }, `promotion ${action}d`);
        return decided(
          userId,
          action === 'approve' ? 'approved' : 'rejected',
          state,
          actor,
          request.body.note,
        );
      },
    );
  }
}
