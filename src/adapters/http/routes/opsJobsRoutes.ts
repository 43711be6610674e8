import type pg from 'pg';
import { z } from 'zod';
import { orUnavailable } from '../../../application/errors';
import type { Clock } from '../../../domain/ports/clock';
import { readJobsOverview } from '../../../jobs/jobsOverview';
import { requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { errorEnvelopeSchema } from '../httpErrors';

const outcomeSchema = z.enum(['running', 'succeeded', 'failed', 'skipped_locked', 'skipped_already_ran']);
const runSchema = z.object({
  instanceId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable().describe('null while it runs'),
  outcome: outcomeSchema,
});

/** The answer of GET /v1/ops/jobs (exported for the tests). */
export const jobsOverviewSchema = z.object({
  checkedAt: z.string().describe("the server's time of this answer"),
  staleAfterMs: z.number().int().describe('an instance whose heartbeat is older than this counts as dead'),
  jobs: z.array(
    z.object({
      job: z.string(),
      expected: z.boolean().describe('one of the jobs every deployment must run (preflight checks it)'),
      schedule: z
        .object({
          cron: z.string().nullable().describe('5-field pattern, UTC'),
          everyMs: z.number().int().nullable().describe('interval in ms'),
        })
        .nullable()
        .describe('null when no instance ever registered the job'),
      liveInstances: z.array(z.string()).describe('instances running the job with a fresh heartbeat'),
      lastHeartbeatAt: z.string().nullable(),
      lastRun: runSchema
        .nullable()
        .describe('the latest run that did work (running, succeeded or failed), on any instance'),
      nextDueAt: z.string().nullable().describe('the earliest next due time on a live instance'),
      instances: z.array(
        z.object({
          instanceId: z.string(),
          alive: z.boolean(),
          registeredAt: z.string(),
          heartbeatAt: z.string(),
          lastRun: runSchema.nullable().describe('the last attempt there, idle runs and lock skips included'),
          nextDueAt: z.string().nullable(),
        }),
      ),
    }),
  ),
});

/**
 * `GET /v1/ops/jobs` (ops): every known job from `job_heartbeats` and `job_runs` — which live
 * instances run it, its schedule, last heartbeat, last run and next due time. Read-only.
 */
export function registerOpsJobsRoutes(server: AppServer, deps: { pool: pg.Pool; clock: Clock }): void {
  typed(server).get(
    '/v1/ops/jobs',
    {
      preValidation: requireRole('ops'),
      schema: {
        tags: ['ops'],
        summary: 'Scheduled jobs: live instances running each, last heartbeat, last run, next due',
        description:
          'One entry per known job (the expected ones even when no instance runs them). Every instance ' +
          'that runs the jobs refreshes its heartbeat every 30 s and on every run; one silent for longer ' +
          'than staleAfterMs is listed with alive=false and is not among liveInstances.',
        querystring: z.strictObject({}),
        response: {
          200: jobsOverviewSchema,
          400: errorEnvelopeSchema,
          401: errorEnvelopeSchema,
          403: errorEnvelopeSchema,
          503: errorEnvelopeSchema,
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return orUnavailable(() => readJobsOverview(deps.pool, { nowMs: deps.clock.nowMs() }));
    },
  );
}
