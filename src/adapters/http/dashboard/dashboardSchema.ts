import { z } from 'zod';

/** ISO-8601 time as the service writes it (UTC), or null when it never happened. */
const isoTime = z.string().describe('ISO-8601, UTC');
const count = z.number().int().min(0);
/** A fraction as a decimal string ("0.021000"): rates are exact, like money. */
const fraction = z.string().regex(/^\d+(\.\d+)?$/);

export const killSwitchSchema = z.object({
  engaged: z.boolean(),
  reason: z.string().nullable(),
  changedBy: z.string().nullable(),
  changedAt: isoTime.nullable(),
});

export const recoverySchema = z.object({
  windowHours: z.number().int(),
  /** Executions past the gates in the window (the denominator). */
  pastGates: count,
  /** Of those, the ones that needed reconciliation (an unknown outcome or a lookup). */
  neededReconciliation: count,
  rate: fraction,
  thresholdPct: z.number(),
  aboveThreshold: z.boolean(),
  /** The latest row the daily stats job stored (`execution_stats_24h`), for comparison. */
  lastStoredPct: z.string().nullable(),
  lastStoredAt: isoTime.nullable(),
});

export const executionsPerHourSchema = z.object({
  /** The start of each hour, oldest first; the last one is the current hour. */
  hours: z.array(isoTime),
  filled: z.array(count),
  submitted: z.array(count),
  rejected: z.array(count),
  hardFailures: z.array(count),
  softFailures: z.array(count),
  pastGates: z.array(count),
});

export const invariantSchema = z.object({
  check: z.string(),
  description: z.string(),
  lastRunAt: isoTime.nullable(),
  /** null: never run. */
  ok: z.boolean().nullable(),
  violations: count,
  /** The executions named in the stored sample of violations (at most 20). */
  executionIds: z.array(z.string()),
  summary: z.string().nullable(),
  lastViolationAt: isoTime.nullable(),
});

export const submittingItemSchema = z.object({
  clientOrderId: z.string(),
  userId: z.string(),
  market: z.string(),
  side: z.string(),
  submittingAt: isoTime.nullable(),
  updatedAt: isoTime,
  /** Seconds since its last event. */
  ageSeconds: count,
  reconcileAttempts: count,
  lastError: z.string().nullable(),
  stale: z.boolean(),
});

export const submittingSchema = z.object({
  staleAfterSeconds: count,
  total: count,
  stale: count,
  /** Oldest first, at most 100. */
  items: z.array(submittingItemSchema),
});

export const promotionSchema = z.object({
  userId: z.string(),
  fromLevel: z.string(),
  toLevel: z.string(),
  proposedAt: isoTime.nullable(),
  reason: z.string().nullable(),
  stats: z.object({ executionsPastGates: count, successRate: fraction, recoveryRate: fraction }),
  /** The per-order limit now and after approval (EUR; null = no fixed limit, capped by the balance). */
  currentLimitEur: z.string().nullable(),
  newLimitEur: z.string().nullable(),
});

export const jobSchema = z.object({
  job: z.string(),
  /** One of the jobs every deployment must run (src/jobs/jobRegistry.ts). */
  expected: z.boolean(),
  /** Instances whose heartbeat for this job is fresh (job_heartbeats). */
  liveInstances: z.number().int().min(0),
  lastHeartbeatAt: isoTime.nullable(),
  /** The earliest next due time on a live instance. */
  nextDueAt: isoTime.nullable(),
  lastRunAt: isoTime.nullable(),
  outcome: z.string(),
  durationMs: z.number().nullable(),
  lastSuccessAt: isoTime.nullable(),
  detail: z.string().nullable(),
});

export const projectionLagSchema = z.object({
  name: z.string(),
  /** Age of the oldest event not yet applied; 0 when caught up. */
  lagMs: z.number().min(0),
  eventsBehind: count.nullable(),
  lastEventAt: isoTime.nullable(),
  updatedAt: isoTime.nullable(),
});

export const exchangeStatusSchema = z.object({
  rateLimit: z
    .object({ remaining: z.number(), limit: z.number().nullable(), resetAt: isoTime.nullable() })
    .nullable(),
  latency: z.array(
    z.object({
      endpoint: z.string(),
      count: count,
      p50Ms: z.number().nullable(),
      p95Ms: z.number().nullable(),
    }),
  ),
});

export const dashboardSchema = z.object({
  generatedAt: isoTime,
  killSwitch: killSwitchSchema,
  recovery: recoverySchema,
  executionsPerHour: executionsPerHourSchema,
  invariants: z.array(invariantSchema),
  submitting: submittingSchema,
  promotions: z.array(promotionSchema),
  jobs: z.array(jobSchema),
  projections: z.array(projectionLagSchema),
  exchange: exchangeStatusSchema,
});

export type Dashboard = z.infer<typeof dashboardSchema>;
export type KillSwitchView = z.infer<typeof killSwitchSchema>;
export type ProjectionLagView = z.infer<typeof projectionLagSchema>;
export type ExchangeStatusView = z.infer<typeof exchangeStatusSchema>;
