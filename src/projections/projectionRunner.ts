import type pg from 'pg';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '../domain/ports/eventStore';
import { comparePositions } from '../domain/ports/eventStore';
import { applyBatch } from './applyBatch';
import { readCheckpoint, subscribeAfter } from './checkpoints';
import { LeaderLock } from './leaderLock';
import { storePendingProbe, type PendingProbe } from './measureLag';
import { LIVE_TABLES, type ProjectionApplier, type ProjectionDefinition } from './projection';

export type RunnerState = 'stopped' | 'standby' | 'catching_up' | 'live' | 'retrying' | 'failed';

export interface ProjectionStatus {
  readonly name: string;
  readonly state: RunnerState;
  /** This instance holds the projection's lock (or runs without one). */
  readonly leader: boolean;
  readonly position: GlobalPosition | null;
  /** Events this instance applied since it started (redeliveries not counted). */
  readonly eventsApplied: number;
  /** Events delivered again or already applied by another instance, and so skipped. */
  readonly eventsSkipped: number;
  readonly batchesApplied: number;
  readonly lastAppliedAt: Date | null;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
}

export interface ProjectionLag {
  readonly name: string;
  /** Events recorded but not yet applied (counted up to a cap, see `capped`). */
  readonly events: number;
  readonly capped: boolean;
  /** Age of the oldest event not yet applied; 0 when caught up. */
  readonly ms: number;
}

export interface RunnerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ProjectionRunnerOptions {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly projection: ProjectionDefinition;
  /** Events per batch (= per transaction). */
  readonly batchSize?: number;
  /** Take the projection's advisory lock and stand by while another instance holds it (default true). */
  readonly exclusive?: boolean;
  /** How often a standby tries the lock. */
  readonly standbyRetryMs?: number;
  /** Backoff after a failure: doubles from `minRestartDelayMs` up to `maxRestartDelayMs`. */
  readonly minRestartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /** Gives up (state `failed`) after this many failures in a row without a successful batch. */
  readonly maxConsecutiveFailures?: number;
  readonly pendingProbe?: PendingProbe;
  /** The store is the PostgreSQL store on `pool` (lets the audit log be copied server-side). */
  readonly eventsTableInDatabase?: boolean;
  readonly logger?: RunnerLogger;
  readonly nowMs?: () => number;
  /** Test hook: wraps the applier (e.g. to inject crashes). */
  readonly wrapApplier?: (applier: ProjectionApplier) => ProjectionApplier;
}

const silentLogger: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Runs one projection: from its checkpoint, catch up, then follow the global stream live; each batch
 * is applied with its checkpoint in one transaction (applyBatch). On a failure (database down, a bad
 * event) it backs off and starts again from the checkpoint in the database.
 */
export class ProjectionRunner {
  private state: RunnerState = 'stopped';
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private signalStop: (() => void) | undefined;
  private stopSignal: Promise<void> = Promise.resolve();
  private subscription: Subscription | undefined;
  private readonly lock: LeaderLock;
  private readonly applier: ProjectionApplier;
  private readonly logger: RunnerLogger;
  private position: GlobalPosition | null = null;
  private eventsApplied = 0;
  private eventsSkipped = 0;
  private batchesApplied = 0;
  private lastAppliedAt: Date | null = null;
  private consecutiveFailures = 0;
  private lastError: string | null = null;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.lock = new LeaderLock(options.pool, options.projection.name);
    const applier = options.projection.createApplier(LIVE_TABLES, {
      eventsTableInDatabase: options.eventsTableInDatabase === true,
    });
    this.applier = options.wrapApplier ? options.wrapApplier(applier) : applier;
    this.logger = options.logger ?? silentLogger;
  }

  get name(): string {
    return this.options.projection.name;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.stopSignal = new Promise((resolve) => {
      this.signalStop = resolve;
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop?.();
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
    this.loop = undefined;
    this.state = 'stopped';
  }

  status(): ProjectionStatus {
    return {
      name: this.name,
      state: this.state,
      leader: this.options.exclusive === false ? this.state !== 'stopped' : this.lock.held,
      position: this.position,
      eventsApplied: this.eventsApplied,
      eventsSkipped: this.eventsSkipped,
      batchesApplied: this.batchesApplied,
      lastAppliedAt: this.lastAppliedAt,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
    };
  }

  /** Lag against the database checkpoint, so any instance (leader or standby) can answer it. */
  async lag(): Promise<ProjectionLag> {
    const checkpoint = await readCheckpoint(this.options.pool, this.name);
    const probe = this.options.pendingProbe ?? storePendingProbe(this.options.store);
    const pending = await probe(checkpoint.position, this.options.projection.streamPrefixes);
    const nowMs = this.options.nowMs?.() ?? Date.now();
    return {
      name: this.name,
      events: pending.events,
      capped: pending.capped,
      ms: pending.oldestCreatedAt ? Math.max(0, nowMs - pending.oldestCreatedAt.getTime()) : 0,
    };
  }

  /** Resolves once the database checkpoint is at or past `position` (for tests and tools). */
  async waitForPosition(position: GlobalPosition, timeoutMs = 10_000, pollMs = 20): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = await readCheckpoint(this.options.pool, this.name);
      if (comparePositions(checkpoint.position, position) >= 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `projection ${this.name} did not reach the position within ${timeoutMs} ms (${this.state})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async run(): Promise<void> {
    const maxFailures = this.options.maxConsecutiveFailures ?? 1000;
    // Bounded by stop() and by maxConsecutiveFailures: a runner lives as long as the service.
    while (!this.stopping) {
      try {
        if (this.options.exclusive !== false && !(await this.lock.tryAcquire())) {
          this.state = 'standby';
          await this.sleep(this.options.standbyRetryMs ?? 1_000);
          continue;
        }
        await this.follow();
      } catch (error) {
        this.consecutiveFailures++;
        this.lastError = (error as Error).message;
        await this.lock.release();
        if (this.consecutiveFailures >= maxFailures) {
          this.state = 'failed';
          this.logger.error(
            { projection: this.name, err: error },
            'projection stopped after repeated failures',
          );
          return;
        }
        this.state = 'retrying';
        this.logger.warn(
          { projection: this.name, failures: this.consecutiveFailures, err: error },
          'projection failed; restarting from its checkpoint',
        );
        const minMs = this.options.minRestartDelayMs ?? 200;
        const maxMs = this.options.maxRestartDelayMs ?? 30_000;
        await this.sleep(Math.min(maxMs, minMs * 2 ** Math.min(this.consecutiveFailures - 1, 20)));
      }
    }
    await this.lock.release();
  }

  /** One leadership term: subscribe from the database checkpoint until stopped, failed or demoted. */
  private async follow(): Promise<void> {
    const checkpoint = await readCheckpoint(this.options.pool, this.name);
    this.position = checkpoint.position;
    this.state = 'catching_up';
    const after = subscribeAfter(checkpoint.position);
    const subscription = this.options.store.subscribeToAll({
      ...(after ? { after } : {}),
      streamPrefixes: this.options.projection.streamPrefixes,
      batchSize: this.options.batchSize ?? 500,
      onEvents: (events) => this.onEvents(events),
      onCaughtUp: () => {
        if (this.state === 'catching_up') this.state = 'live';
        this.logger.info({ projection: this.name }, 'projection caught up; following live');
      },
    });
    this.subscription = subscription;
    try {
      const demoted =
        this.options.exclusive === false ? new Promise<'demoted'>(() => undefined) : this.lock.lost;
      // stop() may come while the subscription was being set up: the stop signal covers that gap.
      const outcome = await Promise.race([
        subscription.done.then(() => 'done' as const),
        demoted.then(() => 'demoted' as const),
        this.stopSignal.then(() => 'stopped' as const),
      ]);
      if (outcome === 'demoted' && !this.stopping) {
        this.logger.warn({ projection: this.name }, 'projection lost its lock; standing by');
      }
    } finally {
      this.subscription = undefined;
      await subscription.stop();
    }
  }

  private async onEvents(events: RecordedEvent[]): Promise<void> {
    const client = await this.options.pool.connect();
    let failed = false;
    try {
      const result = await applyBatch(client, this.name, this.applier, events);
      this.position = result.checkpoint.position;
      this.eventsApplied += result.applied;
      this.eventsSkipped += result.skipped;
      if (result.applied > 0) {
        this.batchesApplied++;
        this.lastAppliedAt = new Date(this.options.nowMs?.() ?? Date.now());
      }
      this.consecutiveFailures = 0;
      this.lastError = null;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // After a failure the connection may be broken or mid-transaction: discard it.
      client.release(failed);
    }
  }

  private async sleep(durationMs: number): Promise<void> {
    if (this.stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }
}
