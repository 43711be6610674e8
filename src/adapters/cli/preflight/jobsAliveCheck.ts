import type pg from 'pg';
import { readJobsOverview, type JobOverview } from '../../../jobs/jobsOverview';
import { fail, pass, type Verdict } from './preflightCheck';

export interface JobsAliveOptions {
  /** How long to wait for a service that has just started to register its jobs. */
  readonly waitMs: number;
  readonly nowMs: () => number;
  /** Default: the heartbeat's own limit (90 s). */
  readonly staleAfterMs?: number;
  /** Between two looks while waiting. Default 1 s. */
  readonly pollMs?: number;
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/** Why one expected job is not proven alive, or `null` when it is. */
function problemOf(job: JobOverview, nowMs: number): string | null {
  if (job.liveInstances.length === 0) {
    const last = job.lastHeartbeatAt;
    return last === null
      ? `${job.job}: not registered on any instance (is one running the jobs, JOBS_ENABLED?)`
      : `${job.job}: no live instance (last heartbeat ${seconds(nowMs - Date.parse(last))} ago, from ${job.instances[0]?.instanceId})`;
  }
  const everyMs = job.schedule?.everyMs ?? null;
  if (everyMs === null) return null;
  // An interval job must also be attempted (idle runs and lock skips count) on a live instance.
  const limitMs = 3 * everyMs + 5_000;
  const latest = Math.max(
    ...job.instances
      .filter((instance) => instance.alive && instance.lastRun !== null)
      .map((instance) => Date.parse(instance.lastRun!.startedAt)),
  );
  if (Number.isFinite(latest) && nowMs - latest <= limitMs) return null;
  return Number.isFinite(latest)
    ? `${job.job}: registered, but its last run began ${seconds(nowMs - latest)} ago (every ${everyMs} ms)`
    : `${job.job}: registered, but not run yet (every ${everyMs} ms)`;
}

/**
 * Every expected job (src/jobs/jobRegistry.ts) is registered in `job_heartbeats` by at least one
 * live instance (heartbeat within the limit), and each interval job was attempted there recently.
 * Waits up to `waitMs` for a service that has just started.
 */
export async function jobsAliveCheck(pool: pg.Pool, options: JobsAliveOptions): Promise<Verdict> {
  const deadline = options.nowMs() + options.waitMs;
  for (;;) {
    const nowMs = options.nowMs();
    const overview = await readJobsOverview(pool, {
      nowMs,
      ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
    });
    const expected = overview.jobs.filter((job) => job.expected);
    const problems = expected.flatMap((job) => problemOf(job, nowMs) ?? []);
    if (problems.length === 0) {
      const instances = new Set(expected.flatMap((job) => job.liveInstances));
      return pass(
        `${expected.map((job) => `${job.job} ×${job.liveInstances.length}`).join(', ')} ` +
          `(${instances.size} live instance${instances.size === 1 ? '' : 's'}, heartbeat within ${seconds(overview.staleAfterMs)})`,
      );
    }
    if (options.nowMs() >= deadline) return fail(problems.join('; '));
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}
