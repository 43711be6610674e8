import { z } from 'zod';
import { NotFound } from '../../../application/errors';
import type { ExecutionRepository } from '../../../application/executions/executionRepository';
import type { SubmitExecutionService } from '../../../application/executions/submitExecution';
import { isExecution } from '../../../application/executions/submitOutcome';
import type { ReconcileService } from '../../../application/reconcile/reconcileService';
import type { AbandonExecutionService } from '../../../application/executions/abandonExecution';
import { clientOrderIdSchema, type ExecutionProposal } from '../../../domain/execution';
import { actorOf } from '../auth/principal';
import { assertMayActForUser, principalOf, requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { errorEnvelope, errorEnvelopeSchema, Forbidden } from '../httpErrors';
import {
  executionEventViewSchema,
  executionViewSchema,
  presentEvent,
  presentExecution,
} from '../schemas/executionView';
import { submitExecutionBodySchema, type SubmitExecutionBody } from '../schemas/submitExecutionBody';
import { ApplicationError } from '../../../application/errors';
import type { Principal } from '../auth/principal';

export interface ExecutionRouteDeps {
  readonly submit: SubmitExecutionService;
  readonly repository: ExecutionRepository;
  readonly reconcile: ReconcileService;
  readonly abandon: AbandonExecutionService;
}

const withExecution = z.object({ execution: executionViewSchema });
const pending = z.object({
  outcome: z.literal('soft_fail_reconcile_pending'),
  execution: executionViewSchema,
});
const refused = errorEnvelopeSchema.extend({ execution: executionViewSchema.optional() });
/** Lower-cased, as on submission: the same UUID in any case names the same execution. */
const params = z.object({ clientOrderId: clientOrderIdSchema.toLowerCase() });
const commonErrors = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  503: errorEnvelopeSchema,
};

function userIdFor(principal: Principal, body: SubmitExecutionBody): string {
  if (principal.role === 'trader') {
    if (body.userId !== undefined && body.userId !== principal.userId) {
      throw new Forbidden('a trader key may only submit for its own user');
    }
    return principal.userId ?? '';
  }
  if (body.userId === undefined)
    throw new ApplicationError('VALIDATION_FAILED', 400, 'userId is required for an ops key');
  return body.userId;
}

function proposalOf(body: SubmitExecutionBody, userId: string): ExecutionProposal {
  return {
    clientOrderId: body.clientOrderId,
    userId,
    market: body.market,
    side: body.side,
    orderType: body.orderType,
    amount: body.amount ?? null,
    amountQuote: body.amountQuote ?? null,
    price: body.price ?? null,
    expiresAt: body.expiresAt,
  };
}

/** POST /v1/executions, GET /v1/executions/:clientOrderId, POST /v1/executions/:clientOrderId/reconcile. */
export function registerExecutionRoutes(server: AppServer, deps: ExecutionRouteDeps): void {
  const app = typed(server);

  app.post(
    '/v1/executions',
    {
      schema: {
        tags: ['executions'],
        summary: 'Submit a trade (idempotent on clientOrderId)',
        description:
          '201 acknowledged by the exchange; 200 a repeat of the same key and body (nothing sent); 202 outcome unknown ' +
          'or another request holds it (reconcile pending); 409 IDEMPOTENCY_KEY_REUSED; 422 refused by a gate ' +
          '(its code) or by the exchange (EXCHANGE_REJECTED); 503 database, event store or market data unavailable.',
        body: submitExecutionBodySchema,
        response: {
          200: withExecution,
          201: withExecution,
          202: pending,
          409: errorEnvelopeSchema,
          422: refused,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const proposal = proposalOf(request.body, userIdFor(principal, request.body));
      const outcome = await deps.submit.submit({
        proposal,
        actor: actorOf(principal),
        requestId: request.id,
      });
      switch (outcome.kind) {
        case 'created':
          return reply.code(201).send({ execution: presentExecution(outcome.execution) });
        case 'replayed':
          return reply.code(200).send({ execution: presentExecution(outcome.execution) });
        case 'pending':
          return reply.code(202).send({
            outcome: 'soft_fail_reconcile_pending' as const,
            execution: presentExecution(outcome.execution),
          });
        case 'rejected':
        case 'failed':
          return reply.code(422).send({
            ...errorEnvelope(outcome.code, outcome.message),
            execution: presentExecution(outcome.execution),
          });
        case 'key_reused':
          return reply.code(409).send(errorEnvelope('IDEMPOTENCY_KEY_REUSED', outcome.message));
      }
    },
  );

  app.get(
    '/v1/executions/:clientOrderId',
    {
      schema: {
        tags: ['executions'],
        summary: 'An execution and its event timeline, read from its stream (read-your-writes)',
        params,
        response: {
          200: z.object({ execution: executionViewSchema, events: z.array(executionEventViewSchema) }),
          404: errorEnvelopeSchema,
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const loaded = await deps.repository.load(request.params.clientOrderId);
      if (!isExecution(loaded.state)) throw new NotFound(`no execution ${request.params.clientOrderId}`);
      assertMayActForUser(principal, loaded.state.userId);
      return { execution: presentExecution(loaded.state), events: loaded.recorded.map(presentEvent) };
    },
  );

  app.post(
    '/v1/executions/:clientOrderId/reconcile',
    {
      preValidation: requireRole('ops'),
      schema: {
        tags: ['executions', 'ops'],
        summary: 'One reconcile round: look the order up by clientOrderId and record what that proves',
        params,
        response: {
          200: z.object({
            action: z
              .string()
              .describe(
                'found, not_found, lookup_error, resend, abandon, wait, not_in_flight, concurrent, attempts_exhausted, deferred',
              ),
            reason: z.string(),
            resent: z.boolean(),
            retryAt: z.string().optional().describe('For deferred: when a round can act (ISO time)'),
            execution: executionViewSchema,
          }),
          404: errorEnvelopeSchema,
          409: errorEnvelopeSchema,
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const report = await deps.reconcile.reconcile(request.params.clientOrderId, {
        actor: actorOf(principal),
        requestId: request.id,
      });
      return {
        action: report.action,
        reason: report.reason,
        resent: report.resent,
        ...(report.retryAtMs === undefined ? {} : { retryAt: new Date(report.retryAtMs).toISOString() }),
        execution: presentExecution(report.execution),
      };
    },
  );

  app.post(
    '/v1/executions/:clientOrderId/abandon',
    {
      preValidation: requireRole('ops'),
      schema: {
        tags: ['executions', 'ops'],
        summary:
          'Close a SUBMITTING execution that is proven absent from the exchange (operator, with a note)',
        description:
          'Looks the order up once more (GET /order) and, once the latest send can no longer execute ' +
          '(409 SEND_WINDOW_OPEN before that), sweeps GET /orders over its whole window: a found order is ' +
          'refused (409 ORDER_FOUND_ON_EXCHANGE, reconcile it), a failed or incomplete lookup is refused ' +
          '(503 LOOKUP_FAILED); only a real "not found" from both records ExecutionAbandoned ' +
          '(operator_resolved) with the operator and the note. The execution becomes FAILED.',
        params,
        body: z.strictObject({ note: z.string().trim().min(1).max(2000) }),
        response: {
          200: withExecution,
          404: errorEnvelopeSchema,
          409: errorEnvelopeSchema,
          422: errorEnvelopeSchema,
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const execution = await deps.abandon.abandon(request.params.clientOrderId, request.body.note, {
        actor: actorOf(principal),
        requestId: request.id,
      });
      return { execution: presentExecution(execution) };
    },
  );
}
