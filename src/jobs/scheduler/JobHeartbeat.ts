import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock';
import {
  deleteInstanceHeartbeats,
  pruneHeartbeats,
  recordHeartbeatRun,
  upsertHeartbeats,
  type HeartbeatJob,
  type HeartbeatRun,
} from './jobHeartbeatsRepository';

/** How often a live instance refreshes its rows in `job_heartbeats`. */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** A row not refreshed for this long belongs to a dead instance (three missed heartbeats). */
export const HEARTBEAT_STALE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;
/** Rows of instances dead for this long are deleted by the live ones. */
export const HEARTBEAT_PRUNE_AFTER_MS = 24 * 60 * 60 * 1000;
/** A graceful shutdown waits this long at most for its rows to be deleted. */
const UNREGISTER_TIMEOUT_MS = 5_000;

export interface JobHeartbeatOptions {
  readonly pool: pg.Pool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly intervalMs?: number;
  readonly pruneAfterMs?: number;
}

/**
 * The scheduler's proof of life in `job_heartbeats`: one row per job of this instance, written by
 * the first beat, refreshed every `intervalMs` and on every run after it, deleted on `unregister()`.
 * No method throws: a failed write is logged and the next beat tries again. At most one beat is in
 * flight at a time.
 */
export class JobHeartbeat {
  private readonly intervalMs: number;
  private readonly pruneAfterMs: number;
  private nextBeatMs = Number.NEGATIVE_INFINITY;
  /** Set by the first beat: a scheduler used only for `runNow` (the CLI) never shows up. */
  private active = false;
  private registered = false;
  private closed = false;
  private beating: Promise<void> | null = null;
  private readonly writes = new Set<Promise<void>>();

  constructor(private readonly options: JobHeartbeatOptions) {
    this.intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.pruneAfterMs = options.pruneAfterMs ?? HEARTBEAT_PRUNE_AFTER_MS;
    if (!Number.isInteger(this.intervalMs) || this.intervalMs < 100) {
      throw new Error(`heartbeat interval must be an integer ≥ 100 ms, got ${this.intervalMs}`);
    }
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** When the next beat is due (ms since the epoch); the scheduler's loop wakes for it. */
  get nextBeatDueMs(): number {
    return this.nextBeatMs;
  }

  /** Writes the rows of `jobs()` when a beat is due and none is in flight; `null` otherwise. */
  beatIfDue(jobs: () => HeartbeatJob[]): Promise<void> | null {
    if (this.closed || this.beating !== null) return null;
    const nowMs = this.options.clock.nowMs();
    if (nowMs < this.nextBeatMs) return null;
    this.active = true;
    this.nextBeatMs = nowMs + this.intervalMs;
    const register = !this.registered;
    const beat = this.track(async () => {
      await upsertHeartbeats(this.options.pool, this.instanceId, jobs(), nowMs, register);
      this.registered = true;
      const pruned = await pruneHeartbeats(this.options.pool, nowMs - this.pruneAfterMs);
      if (pruned > 0) this.options.logger.info({ pruned }, 'pruned heartbeats of long-dead instances');
    }, 'job heartbeat failed; retrying at the next beat');
    this.beating = beat;
    void beat.finally(() => (this.beating = null));
    return beat;
  }

  /** One run's start (`outcome: 'running'`) or end, on the job's row. */
  recordRun(job: HeartbeatJob, run: HeartbeatRun): Promise<void> {
    if (this.closed || !this.active) return Promise.resolve();
    const nowMs = this.options.clock.nowMs();
    return this.track(
      () => recordHeartbeatRun(this.options.pool, this.instanceId, job, run, nowMs),
      'job heartbeat of a run failed',
    );
  }

  /** Graceful shutdown: no more writes, then this instance's rows go (bounded wait). */
  async unregister(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.writes]);
    if (!this.active) return;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const deleted = deleteInstanceHeartbeats(this.options.pool, this.instanceId);
    deleted.catch(() => undefined); // a late failure after the timeout is already reported
    try {
      await Promise.race([
        deleted,
        new Promise<never>((_resolve, reject) => {
          timeout = setTimeout(() => reject(new Error('timed out')), UNREGISTER_TIMEOUT_MS);
          timeout.unref?.();
        }),
      ]);
    } catch (error) {
      this.options.logger.warn(
        { err: (error as Error).message, instanceId: this.instanceId },
        'could not remove this instance from job_heartbeats; its rows will count as dead',
      );
    } finally {
      if (timeout !== undefined) clearTimeout(timeout);
    }
  }

  private track(write: () => Promise<unknown>, failure: string): Promise<void> {
    const promise = write().then(
      () => undefined,
      (error: unknown) => {
        this.options.logger.warn({ err: (error as Error).message, instanceId: this.instanceId }, failure);
      },
    );
    this.writes.add(promise);
    void promise.finally(() => this.writes.delete(promise));
    return promise;
  }
}
