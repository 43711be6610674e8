import type pg from 'pg';
import type { Config } from '../../../config';
import { FILLS_JOB_NAME } from '../../../jobs/fillFollower';
import { INVARIANTS_JOB_NAME } from '../../../jobs/invariantsJob';
import { PROMOTIONS_JOB_NAME } from '../../../jobs/promotionsJob';
import { RECONCILE_JOB_NAME } from '../../../jobs/reconcileSweeper';
import { STATS_JOB_NAME } from '../../../jobs/statsJob';
import { fail, pass, type Verdict } from './preflightCheck';

/** DESIGN §6: the jobs and their schedules (the interval ones every RECONCILE_INTERVAL_MS). */
export function expectedJobs(config: Pick<Config, 'RECONCILE_INTERVAL_MS'>) {
  return [
    { name: INVARIANTS_JOB_NAME, schedule: '0 * * * *', everyMs: null },
    { name: PROMOTIONS_JOB_NAME, schedule: '30 * * * *', everyMs: null },
    { name: STATS_JOB_NAME, schedule: '15 0 * * *', everyMs: null },
    {
      name: RECONCILE_JOB_NAME,
      schedule: `every ${config.RECONCILE_INTERVAL_MS} ms`,
      everyMs: config.RECONCILE_INTERVAL_MS,
    },
    {
      name: FILLS_JOB_NAME,
      schedule: `every ${config.RECONCILE_INTERVAL_MS} ms`,
      everyMs: config.RECONCILE_INTERVAL_MS,
    },
  ] as const;
}

interface LastRun {
  readonly job: string;
  readonly outcome: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly lastSuccessAt: Date | null;
}

async function lastRuns(pool: pg.Pool): Promise<Map<string, LastRun>> {
  const result = await pool.query<{
    job: string;
    outcome: string;
    started_at: Date;
    finished_at: Date | null;
    last_success: Date | null;
  }>(
    `SELECT DISTINCT ON (r.job) r.job, r.outcome, r.started_at, r.finished_at,
            (SELECT max(s.finished_at) FROM job_runs s WHERE s.job = r.job AND s.outcome = 'succeeded') AS last_success
       FROM job_runs r
      WHERE r.outcome IN ('running', 'succeeded', 'failed')
      ORDER BY r.job, r.started_at DESC`,
  );
  return new Map(
    result.rows.map((row) => [
      row.job,
      {
        job: row.job,
        outcome: row.outcome,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        lastSuccessAt: row.last_success,
      },
    ]),
  );
}

const ago = (nowMs: number, at: Date) => `${Math.max(0, Math.round((nowMs - at.getTime()) / 1000))} s ago`;

const LABEL_PATTERN = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The labels of one sample line (`name{a="x",b="y"} 1`), compared whole: `ledger_job` is not `job`. */
function sampleLabels(line: string): Map<string, string> {
  const open = line.indexOf('{');
  const close = line.lastIndexOf('}');
  const labels = new Map<string, string>();
  if (open < 0 || close < open) return labels;
  for (const match of line.slice(open + 1, close).matchAll(LABEL_PATTERN)) {
    labels.set(match[1] ?? '', match[2] ?? '');
  }
  return labels;
}

/** `ledger_job_runs_total{ledger_job="…",outcome="succeeded"} N` of the service's /metrics: runs of THIS instance. */
export function succeededRunsInMetrics(metricsText: string, job: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('ledger_job_runs_total{')) continue;
    const labels = sampleLabels(line);
    if (labels.get('ledger_job') !== job || labels.get('outcome') !== 'succeeded') continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

export interface JobsCheckOptions {
  readonly waitMs: number;
  readonly nowMs: () => number;
  /** The service's /metrics text, or `undefined` when it cannot be read. */
  readonly readMetrics: () => Promise<string | undefined>;
}

/**
 * Every job of DESIGN §6 is scheduled and none failed last. The interval jobs (reconcile, fills)
 * must be seen running: on the service itself (its /metrics counts every run, idle ones too) or, from
 * another instance, as a recent success in job_runs (which keeps only runs that did something). A
 * service that has just started gets `waitMs` for its first ticks. The hourly and daily jobs may not
 * have run yet on a fresh service; when they have, their last run must not have failed.
 */
export async function jobsCheck(pool: pg.Pool, config: Config, options: JobsCheckOptions): Promise<Verdict> {
  const jobs = expectedJobs(config);
  const deadline = options.nowMs() + options.waitMs;
  for (;;) {
    const [runs, metricsText] = await Promise.all([lastRuns(pool), options.readMetrics()]);
    const nowMs = options.nowMs();
    const problems: string[] = [];
    const seen: string[] = [];
    for (const job of jobs) {
      const last = runs.get(job.name);
      if (
        last?.outcome === 'failed' &&
        (last.lastSuccessAt === null || last.lastSuccessAt < last.startedAt)
      ) {
        problems.push(`${job.name}: last run failed at ${last.startedAt.toISOString()}`);
        continue;
      }
      const here = metricsText === undefined ? 0 : succeededRunsInMetrics(metricsText, job.name);
      if (job.everyMs !== null) {
        const recent =
          last?.lastSuccessAt != null && nowMs - last.lastSuccessAt.getTime() <= 3 * job.everyMs + 5_000;
        if (here > 0) seen.push(`${job.name} (${job.schedule}) ran ${here}× here`);
        else if (recent && last?.lastSuccessAt)
          seen.push(`${job.name} (${job.schedule}) succeeded ${ago(nowMs, last.lastSuccessAt)}`);
        else
          problems.push(
            `${job.name} (${job.schedule}) is not seen running: is an instance running the jobs (JOBS_ENABLED)?`,
          );
        continue;
      }
      if (last === undefined) seen.push(`${job.name} (${job.schedule}) not run yet`);
      else seen.push(`${job.name} ${last.outcome} ${ago(nowMs, last.finishedAt ?? last.startedAt)}`);
    }
    if (problems.length === 0) return pass(seen.join('; '));
    if (options.nowMs() >= deadline) return fail(problems.join('; '));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
