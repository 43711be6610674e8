import type pg from 'pg';
import { z } from 'zod';
import { EXECUTION_STATUSES, marketSchema, type ExecutionStatus } from '../../../domain/execution';
import { userIdSchema } from '../../../domain/policy';
import type { ProjectionLag } from '../../../projections/projectionRunner';
import {
  executionStatsNow,
  latestStoredStats,
  userStatsSummary,
} from '../../../projections/queries/executionStats';
import {
  listExecutions,
  MAX_LIST_LIMIT,
  type ExecutionListItem,
} from '../../../projections/queries/listExecutions';
import { principalOf, requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { errorEnvelopeSchema, Forbidden } from '../httpErrors';
import { executionViewSchema, formatLastError } from '../schemas/executionView';

export interface ReadModelRouteDeps {
  readonly pool: pg.Pool;
  /** Each projection's lag (events not yet applied, and the age of the oldest). */
  readonly lag: () => Promise<readonly ProjectionLag[]>;
}

const decimal = z.string();
const isoTime = z.string();

/** The execution view of the command API, plus what the read model adds. */
const listedExecutionSchema = executionViewSchema.extend({
  exchangeStatus: z.string().nullable(),
  retries: z.number().int(),
  neededReconciliation: z.boolean().describe('an unknown outcome or a lookup happened (recovery rate)'),
  feeCurrency: z.string().nullable(),
  rejectReason: z.string().nullable(),
  submittedAt: isoTime.nullable(),
  filledAt: isoTime.nullable(),
  endedAt: isoTime.nullable(),
  endReason: z.string().nullable(),
  createdAt: isoTime,
});

const statusList = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const statuses = value.split(',').map((item) => item.trim().toUpperCase());
    for (const status of statuses) {
      if (!(EXECUTION_STATUSES as readonly string[]).includes(status)) {
        ctx.addIssue({ code: 'custom', message: `unknown status ${status.slice(0, 30)}` });
        return z.NEVER;
      }
    }
    return statuses as ExecutionStatus[];
  })
  .describe(`one or more of ${EXECUTION_STATUSES.join(', ')}, comma-separated`);

const listQuery = z.object({
  status: statusList.optional(),
  userId: userIdSchema.optional(),
  market: marketSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(50),
  cursor: z.string().min(1).max(400).optional().describe('nextCursor of the previous page'),
});

const figuresSchema = z.object({
  windowStart: isoTime,
  windowEnd: isoTime,
  totalExecutions: z.number().int().describe('executions past the gates, by the time of their first event'),
  submitted: z.number().int(),
  filled: z.number().int(),
  rejected: z.number().int().describe('refused by a gate (not in the total)'),
  hardFailures: z.number().int(),
  softFailures: z.number().int().describe('needed reconciliation'),
  reconciled: z.number().int().describe('soft failures since resolved'),
  recoveryRatePct: decimal,
  p50SubmitLatencyMs: decimal.nullable(),
  p95SubmitLatencyMs: decimal.nullable(),
  createdAt: isoTime,
});

const statsSchema = z.object({
  last24h: figuresSchema.describe('computed now from trade_executions'),
  latestStored: figuresSchema.nullable().describe('the latest row of execution_stats_24h (the daily job)'),
  users: z.object({
    users: z.number().int(),
    executionsPastGates: z.number().int(),
    successful: z.number().int(),
    reconciled: z.number().int(),
  }),
  projections: z.array(
    z.object({ name: z.string(), lagEvents: z.number().int(), lagCapped: z.boolean(), lagMs: z.number() }),
  ),
});

const errors = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  503: errorEnvelopeSchema,
};

function present(item: ExecutionListItem): z.infer<typeof listedExecutionSchema> {
  const { lastErrorDetail, revision, ...rest } = item;
  return { ...rest, lastError: formatLastError(lastErrorDetail), revision };
}

/**
 * GET /v1/executions (the trade_executions read model: filters, newest first, cursor pagination; a
 * trader sees only its own user's) and GET /v1/ops/stats (ops). Read models follow the streams with a
 * small lag; GET /v1/executions/:clientOrderId answers from the stream itself.
 */
export function registerReadModelRoutes(server: AppServer, deps: ReadModelRouteDeps): void {
  const app = typed(server);

  app.get(
    '/v1/executions',
    {
      schema: {
        tags: ['executions'],
        summary: 'List executions from the read model (newest first, cursor-paginated)',
        description:
          'A trader key lists its own user only (another userId is 403); an ops key lists everyone, or one ' +
          'user with userId. Follow nextCursor until it is null. The read model trails the streams by ' +
          'the projection lag (GET /v1/ops/stats).',
        querystring: listQuery,
        response: {
          200: z.object({ executions: z.array(listedExecutionSchema), nextCursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const query = request.query;
      let userId = query.userId;
      if (principal.role === 'trader') {
        if (userId !== undefined && userId !== principal.userId) {
          throw new Forbidden('a trader key may only list its own executions');
        }
        userId = principal.userId ?? '';
      }
      const page = await listExecutions(deps.pool, {
        limit: query.limit,
        ...(userId === undefined ? {} : { userId }),
        ...(query.market === undefined ? {} : { market: query.market }),
        ...(query.status === undefined ? {} : { statuses: query.status }),
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return { executions: page.executions.map(present), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/ops/stats',
    {
      preValidation: requireRole('ops'),
      schema: {
        tags: ['ops'],
        summary:
          'Execution statistics (last 24 hours, the daily snapshot, per-user totals) and projection lag',
        response: { 200: statsSchema, ...errors },
      },
    },
    async () => {
      const [last24h, latestStored, users, lag] = await Promise.all([
        executionStatsNow(deps.pool),
        latestStoredStats(deps.pool),
        userStatsSummary(deps.pool),
        deps.lag(),
      ]);
      return {
        last24h,
        latestStored,
        users,
        projections: lag.map((item) => ({
          name: item.name,
          lagEvents: item.events,
          lagCapped: item.capped,
          lagMs: item.ms,
        })),
      };
    },
  );
}
