import { NotReady } from './errors';

/** One thing `/readyz` verifies; a rejection (or a timeout) means not ready, with its message. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** "ok", or why not, per check and per pending hold. */
  readonly checks: Record<string, string>;
}

const MAX_HOLDS = 100;

/**
 * What `/readyz` consults, and what holds new submissions back. Other parts of the app add checks
 * (`addCheck`) and start-up tasks hold submissions until they are done (`hold` returns the release):
 * start-up reconciliation must finish before the API accepts a new order.
 */
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private readonly holds = new Map<number, string>();
  private nextHoldId = 1;

  addCheck(check: ReadinessCheck): void {
    if (this.checks.some((existing) => existing.name === check.name)) {
      throw new Error(`readiness check ${check.name} is already registered`);
    }
    this.checks.push(check);
  }

  /** Holds submissions (and readiness) until the returned function is called. */
  hold(name: string): () => void {
    if (this.holds.size >= MAX_HOLDS) throw new Error('too many readiness holds');
    const id = this.nextHoldId++;
    this.holds.set(id, name);
    return () => {
      this.holds.delete(id);
    };
  }

  pendingHolds(): string[] {
    return [...this.holds.values()];
  }

  /** Throws NotReady (503) while a start-up task holds submissions. */
  assertAcceptingSubmissions(): void {
    const pending = this.pendingHolds();
    if (pending.length > 0)
      throw new NotReady(`not accepting submissions yet: waiting for ${pending.join(', ')}`);
  }

  async evaluate(timeoutMs: number): Promise<ReadinessReport> {
    const checks: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      this.checks.map(async (check) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([check.check(), timeout]);
          checks[check.name] = 'ok';
        } catch (error) {
          ready = false;
          checks[check.name] = (error as Error).message.slice(0, 300);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    for (const name of this.pendingHolds()) {
      ready = false;
      checks[name] = 'in progress';
    }
    return { ready, checks };
  }
}
