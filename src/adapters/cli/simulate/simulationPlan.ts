import { SeededRandom } from '../../exchange/simulator/seededRandom';

/**
 * The workload of a staging run, drawn from the seed alone: who proposes what, when (in virtual time).
 * Executions arrive in bursts of `concurrency` (sent in parallel at one virtual instant), spread
 * evenly over `hours`, so that N executions over H hours keep the checklist's rate (50/h over 24 h).
 */
export interface PlannedExecution {
  readonly index: number;
  readonly atMs: number;
  readonly clientOrderId: string;
  readonly userId: string;
  readonly market: string;
  readonly side: 'buy' | 'sell';
  readonly orderType: 'market' | 'limit';
  readonly amount: string | null;
  readonly amountQuote: string | null;
  readonly price: string | null;
  readonly expiresAt: string;
  /** What the gates should do with it: most pass; a few are meant to be refused. */
  readonly intent: 'trade' | 'over_limit' | 'market_not_allowed';
}

export interface SimulationPlanOptions {
  readonly seed: number;
  readonly executions: number;
  readonly concurrency: number;
  readonly hours: number;
  readonly startMs: number;
  /** How long a proposal stays valid (re-sends after that are refused by the gates). */
  readonly proposalTtlMs?: number;
  /** The share of proposals that expire soon after they are sent (default 15%). */
  readonly shortLivedShare?: number;
}

export const SIMULATION_USERS = 10;
/** Longer than a send and its first lookups, shorter than the evidence that an order was not placed. */
const SHORT_PROPOSAL_TTL_MS = 20_000;
/** The simulator's start prices (price drift is off during a run, so they hold). */
const LIMIT_PRICE = { 'BTC-EUR': '61000', 'ETH-EUR': '3060' } as const;

function decimal(units: number, scale: number): string {
  // Integer arithmetic on purpose: amounts are decimal strings, never floats.
  const text = units.toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = text.slice(text.length - scale).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

function proposalOf(
  random: SeededRandom,
): Omit<PlannedExecution, 'index' | 'atMs' | 'clientOrderId' | 'userId' | 'expiresAt'> {
  const roll = random.next();
  const market = random.next() < 0.6 ? 'BTC-EUR' : 'ETH-EUR';
  const base = { amount: null, amountQuote: null, price: null, intent: 'trade' as const };
  if (roll < 0.02) {
    return {
      ...base,
      market: 'SOL-EUR',
      side: 'buy',
      orderType: 'market',
      amountQuote: String(random.int(6, 20)),
      intent: 'market_not_allowed',
    };
  }
  if (roll < 0.05) {
    return {
      ...base,
      market,
      side: 'buy',
      orderType: 'market',
      amountQuote: String(random.int(40, 90)),
      intent: 'over_limit',
    };
  }
  if (roll < 0.5) {
    return { ...base, market, side: 'buy', orderType: 'market', amountQuote: String(random.int(6, 24)) };
  }
  if (roll < 0.75) {
    // 0.0001..0.0003 BTC (≈ €6..18) or 0.002..0.007 ETH (≈ €6..21).
    const amount = market === 'BTC-EUR' ? decimal(random.int(10, 30), 5) : decimal(random.int(20, 70), 4);
    return { ...base, market, side: 'sell', orderType: 'market', amount };
  }
  // A marketable limit buy (above the price): it fills at once.
  const amount = market === 'BTC-EUR' ? decimal(random.int(10, 35), 5) : decimal(random.int(20, 70), 4);
  return { ...base, market, side: 'buy', orderType: 'limit', amount, price: LIMIT_PRICE[market] };
}

export function planSimulation(options: SimulationPlanOptions): PlannedExecution[] {
  const random = new SeededRandom(options.seed ^ 0x5eed5);
  const bursts = Math.ceil(options.executions / options.concurrency);
  const spacingMs = (options.hours * 3_600_000) / bursts;
  const ttlMs = options.proposalTtlMs ?? 10 * 60_000;
  const shortLivedShare = options.shortLivedShare ?? 0.15;
  const planned: PlannedExecution[] = [];
  for (let index = 0; index < options.executions; index++) {
    const burst = Math.floor(index / options.concurrency);
    const atMs = Math.floor(options.startMs + burst * spacingMs);
    // Short-lived proposals: when a send is proven not placed after they expired, reconcile must
    // abandon them (the gates refuse a re-send), not re-send them.
    const expiresInMs = random.next() < shortLivedShare ? SHORT_PROPOSAL_TTL_MS : ttlMs;
    planned.push({
      index,
      atMs,
      clientOrderId: random.uuid(),
      userId: `sim-user-${random.int(1, SIMULATION_USERS)}`,
      expiresAt: new Date(atMs + expiresInMs).toISOString(),
      ...proposalOf(random),
    });
  }
  return planned;
}

/** The planned executions grouped by their virtual instant, in order. */
export function burstsOf(planned: readonly PlannedExecution[]): PlannedExecution[][] {
  const bursts: PlannedExecution[][] = [];
  for (const execution of planned) {
    const last = bursts.at(-1);
    if (last !== undefined && last[0]!.atMs === execution.atMs) last.push(execution);
    else bursts.push([execution]);
  }
  return bursts;
}
