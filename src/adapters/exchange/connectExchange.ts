import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { Clock } from '../../domain/ports/clock';
import type { Exchange } from '../../domain/ports/exchange';
import { createBitvavoClient, type BitvavoClient, type BitvavoClientOptions } from './bitvavo/BitvavoClient';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator/startSimulator';

export interface ExchangeOverrides {
  /** Options for the in-process simulator (EXCHANGE=simulated without BITVAVO_API_URL). */
  readonly simulator?: Partial<SimulatorOptions>;
  readonly client?: Partial<BitvavoClientOptions>;
  /** Wraps the client before the services get it (tests: fault injection, fc.scheduler()). */
  readonly wrap?: (exchange: Exchange) => Exchange;
}

export interface ConnectedExchange {
  /** What the services use. */
  readonly exchange: Exchange;
  /** The real client underneath (rate-limit budget, server time). */
  readonly client: BitvavoClient;
  /** The in-process simulator, when the app started one. */
  readonly simulator: RunningSimulator | undefined;
  /** For /readyz: the exchange answered GET /markets recently. */
  checkReachable(): Promise<void>;
  close(): Promise<void>;
}

/** A successful reachability probe is trusted this long, so /readyz polling costs little weight. */
const REACHABLE_TTL_MS = 10_000;
/** "No local budget": the simulator's limit is off, and the client should not invent one. */
const UNLIMITED_WEIGHT_PER_MIN = 1_000_000_000;

/**
 * The exchange of DESIGN §7: EXCHANGE=bitvavo talks to BITVAVO_API_URL (the real Bitvavo);
 * EXCHANGE=simulated starts the Bitvavo simulator in-process on loopback (unless BITVAVO_API_URL
 * points at one already running, e.g. `ledger exchange-sim`) and points the same real client at it,
 * so every test, demo and soak run exercises the production client code.
 */
export async function connectExchange(
  config: Config,
  logger: Logger,
  clock: Clock,
  overrides: ExchangeOverrides = {},
): Promise<ConnectedExchange> {
  let simulator: RunningSimulator | undefined;
  let apiUrl = config.BITVAVO_API_URL;
  if (config.EXCHANGE === 'simulated' && apiUrl === undefined) {
    simulator = await startSimulator({
      port: 0,
      host: '127.0.0.1',
      seed: config.SIMULATOR_SEED,
      apiKey: config.BITVAVO_API_KEY,
      apiSecret: config.BITVAVO_API_SECRET,
      rateLimitPerMin: config.BITVAVO_RATE_LIMIT_PER_MIN,
      logger: logger.child({ component: 'simulator' }),
      ...overrides.simulator,
    });
    apiUrl = simulator.url;
  }
  if (apiUrl === undefined) throw new Error('BITVAVO_API_URL is required');
  const client = createBitvavoClient({
    apiUrl,
    apiKey: config.BITVAVO_API_KEY,
    apiSecret: config.BITVAVO_API_SECRET,
    operatorId: config.BITVAVO_OPERATOR_ID,
    timeoutMs: config.BITVAVO_TIMEOUT_MS,
    accessWindowMs: config.BITVAVO_ACCESS_WINDOW_MS,
    rateLimitPerMin:
      config.BITVAVO_RATE_LIMIT_PER_MIN > 0 ? config.BITVAVO_RATE_LIMIT_PER_MIN : UNLIMITED_WEIGHT_PER_MIN,
    logger: logger.child({ component: 'bitvavo' }),
    clock,
    ...overrides.client,
  });
  const exchange = overrides.wrap ? overrides.wrap(client) : client;
  let reachableAtMs = -Infinity;
  return {
    exchange,
    client,
    simulator,
    async checkReachable() {
      if (clock.nowMs() - reachableAtMs < REACHABLE_TTL_MS) return;
      const result = await client.getMarkets();
      if (!result.ok) throw new Error(`exchange unreachable: ${result.message}`);
      reachableAtMs = clock.nowMs();
    },
    async close() {
      await client.close();
      await simulator?.close();
    },
  };
}
