import { hostname } from 'node:os';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock';
import { JOB_NAME_PATTERN, type JobDefinition, type JobRunReport, type JobTrigger } from './jobDefinition';
import { JobHeartbeat } from './JobHeartbeat';
import type { HeartbeatJob, HeartbeatRun } from './jobHeartbeatsRepository';
import { dueTimesOf, type DueTimes } from './jobSchedule';
import { runJobWithLock } from './runJobWithLock';

export interface JobSchedulerOptions {
  readonly pool: pg.Pool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly jobs: readonly JobDefinition[];
  /** Names this process in `job_runs`; defaults to host:pid. */
  readonly instanceId?: string;
  /** The loop looks at the clock at least this often (a clock that jumps is noticed). Default 1 s. */
  readonly maxSleepMs?: number;
  /** After the database failed a run, the same cron slot is tried again this much later. Default 30 s. */
  readonly retryDelayMs?: number;
  /** How often this instance refreshes its rows in `job_heartbeats`. Default 30 s. */
  readonly heartbeatIntervalMs?: number;
  /** Called after every attempt (metrics). A throwing listener is ignored. */
  readonly onRun?: (report: JobRunReport) => void;
}

interface Entry {
  readonly job: JobDefinition;
  readonly kind: 'schedule' | 'interval';
  readonly due: DueTimes;
  /** When to try next (a cron slot, a retry of one, or the next interval run). */
  nextAttemptMs: number;
  /** The cron slot `nextAttemptMs` works for; `null` for interval jobs. */
  slotMs: number | null;
  running: Promise<JobRunReport | null> | null;
}

export const MAX_JOBS = 50;
const STOP_WAIT_MS = 30_000;

/**
 * Runs jobs when they are due by the Clock port. croner computes cron times (UTC); waiting is a
 * plain timer loop that re-reads the clock, so a test drives it with a ManualClock and `tick()`.
 * Each job runs at most once at a time in this process and, through the advisory lock, across
 * instances. Missed slots are not made up: after a pause the job runs once and then keeps its pattern.
 */
export class JobScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly instanceId: string;
  private readonly maxSleepMs: number;
  private readonly retryDelayMs: number;
  private readonly abort = new AbortController();
  private readonly heartbeat: JobHeartbeat;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly options: JobSchedulerOptions) {
    if (options.jobs.length > MAX_JOBS) throw new Error(`at most ${MAX_JOBS} jobs`);
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}`;
    this.maxSleepMs = options.maxSleepMs ?? 1_000;
    this.retryDelayMs = options.retryDelayMs ?? 30_000;
    this.heartbeat = new JobHeartbeat({
      pool: options.pool,
      clock: options.clock,
      logger: options.logger,
      instanceId: this.instanceId,
      ...(options.heartbeatIntervalMs === undefined ? {} : { intervalMs: options.heartbeatIntervalMs }),
    });
    const nowMs = options.clock.nowMs();
    for (const job of options.jobs) {
      if (!JOB_NAME_PATTERN.test(job.name)) throw new Error(`invalid job name "${job.name}"`);
      if (this.entries.has(job.name)) throw new Error(`two jobs are named "${job.name}"`);
      const due = dueTimesOf(job.schedule);
      const kind = 'cron' in job.schedule ? 'schedule' : 'interval';
      const first = due.nextDueMs(nowMs);
      this.entries.set(job.name, {
        job,
        kind,
        due,
        nextAttemptMs: first,
        slotMs: kind === 'schedule' ? first : null,
        running: null,
      });
    }
  }

  get jobNames(): string[] {
    return [...this.entries.keys()];
  }

  /** When each job is next due (ms since the epoch). */
  nextDue(): Record<string, number> {
    return Object.fromEntries([...this.entries].map(([name, entry]) => [name, entry.nextAttemptMs]));
  }

  /** Starts the timer loop (production). Tests usually call `tick()` instead. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.options.logger.info({ jobs: this.jobNames, instanceId: this.instanceId }, 'job scheduler started');
    this.arm();
  }

  /**
   * Starts every job that is due now by the clock (and the heartbeat, when due) and waits for the
   * runs started here. A job still running from an earlier tick is left alone.
   */
  async tick(): Promise<JobRunReport[]> {
    const beat = this.beatIfDue();
    const launched = this.launchDue();
    const [reports] = await Promise.all([Promise.all(launched), beat]);
    return reports.filter((report): report is JobRunReport => report !== null);
  }

  /** Runs a job now, outside its schedule (recorded as `manual`). */
  async runNow(name: string): Promise<JobRunReport> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new Error(`no job named "${name}"`);
    if (entry.running !== null) await entry.running;
    const run = this.execute(entry, 'manual', null);
    entry.running = run;
    try {
      const report = await run;
      if (report === null)
        throw new Error(`job "${name}" could not be run: the database failed (see the log)`);
      return report;
    } finally {
      if (entry.running === run) entry.running = null;
    }
  }

  /**
   * Stops the loop, asks running jobs to finish, waits for them (bounded), then removes this
   * instance's rows from `job_heartbeats`.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.abort.abort();
    const running = [...this.entries.values()].flatMap((entry) => (entry.running ? [entry.running] : []));
    let timeout: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled(running),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, STOP_WAIT_MS);
        timeout.unref?.();
      }),
    ]);
    if (timeout !== undefined) clearTimeout(timeout);
    await this.heartbeat.unregister();
  }

  private arm(): void {
    if (this.stopped) return;
    const nowMs = this.options.clock.nowMs();
    let wakeMs = Math.min(nowMs + this.maxSleepMs, this.heartbeat.nextBeatDueMs);
    for (const entry of this.entries.values()) {
      if (entry.running === null) wakeMs = Math.min(wakeMs, entry.nextAttemptMs);
    }
    this.timer = setTimeout(
      () => {
        void this.beatIfDue();
        this.launchDue();
        this.arm();
      },
      Math.max(0, wakeMs - nowMs),
    );
    this.timer.unref?.();
  }

  private launchDue(): Promise<JobRunReport | null>[] {
    if (this.stopped) return [];
    const nowMs = this.options.clock.nowMs();
    const launched: Promise<JobRunReport | null>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.running !== null || entry.nextAttemptMs > nowMs) continue;
      const trigger: JobTrigger = entry.kind;
      const slotMs = entry.slotMs;
      if (entry.kind === 'schedule') {
        // The next slot is computed now: a run that overlaps its next slot skips it, never piles up.
        const next = entry.due.nextDueMs(Math.max(nowMs, slotMs ?? nowMs));
        entry.nextAttemptMs = next;
        entry.slotMs = next;
      }
      const run = this.execute(entry, trigger, slotMs).then((report) => {
        if (entry.kind === 'interval') entry.nextAttemptMs = entry.due.nextDueMs(this.options.clock.nowMs());
        if (report === null && entry.kind === 'schedule' && slotMs !== null) {
          // The database failed: try this slot again soon, unless the next slot comes first.
          const retryMs = this.options.clock.nowMs() + this.retryDelayMs;
          if (retryMs < entry.nextAttemptMs) {
            entry.nextAttemptMs = retryMs;
            entry.slotMs = slotMs;
          }
        }
        return report;
      });
      entry.running = run;
      void run.finally(() => {
        if (entry.running === run) entry.running = null;
      });
      launched.push(run);
    }
    return launched;
  }

  private beatIfDue(): Promise<void> | null {
    if (this.stopped) return null;
    return this.heartbeat.beatIfDue(() =>
      [...this.entries.values()].map((entry) => this.heartbeatJob(entry, entry.nextAttemptMs)),
    );
  }

  private heartbeatJob(entry: Entry, nextDueMs: number): HeartbeatJob {
    const schedule = entry.job.schedule;
    return {
      job: entry.job.name,
      cron: 'cron' in schedule ? schedule.cron : null,
      everyMs: 'everyMs' in schedule ? schedule.everyMs : null,
      nextDueMs,
    };
  }

  /** The run on the job's heartbeat row; after a run, when it is due next (as launchDue will set it). */
  private recordRun(entry: Entry, run: HeartbeatRun): Promise<void> {
    const nowMs = this.options.clock.nowMs();
    const nextDueMs =
      run.outcome !== 'running' && entry.kind === 'interval'
        ? entry.due.nextDueMs(nowMs)
        : entry.nextAttemptMs;
    return this.heartbeat.recordRun(this.heartbeatJob(entry, nextDueMs), run);
  }

  /** One attempt; `null` when the database failed before the job could be run or recorded. */
  private async execute(
    entry: Entry,
    trigger: JobTrigger,
    slotMs: number | null,
  ): Promise<JobRunReport | null> {
    const { pool, clock, logger } = this.options;
    const startedAtMs = clock.nowMs();
    await this.recordRun(entry, { startedAtMs, finishedAtMs: null, outcome: 'running' });
    try {
      const report = await runJobWithLock({
        pool,
        job: entry.job,
        trigger,
        scheduledForMs: slotMs,
        instanceId: this.instanceId,
        clock,
        logger,
        signal: this.abort.signal,
      });
      try {
        this.options.onRun?.(report);
      } catch {
        // A metrics listener must never break the scheduler.
      }
      await this.recordRun(entry, report);
      return report;
    } catch (error) {
      logger.error({ job: entry.job.name, trigger, err: (error as Error).message }, 'job could not be run');
      await this.recordRun(entry, { startedAtMs, finishedAtMs: clock.nowMs(), outcome: 'failed' });
      return null;
    }
  }
}
