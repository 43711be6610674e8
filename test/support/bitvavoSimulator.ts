import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import {
  createBitvavoClient,
  type BitvavoClient,
  type BitvavoClientOptions,
} from '../../src/adapters/exchange/bitvavo/BitvavoClient';
import { signRequest } from '../../src/adapters/exchange/bitvavo/signRequest';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/adapters/exchange/simulator/startSimulator';
import type { FaultSpec } from '../../src/adapters/exchange/simulator/SimFaults';
import { createLogger } from '../../src/adapters/logging/createLogger';
import { SIMULATOR_API_KEY, SIMULATOR_API_SECRET, SIMULATOR_OPERATOR_ID } from '../../src/config';

/** A logger whose output the test can read (to prove that no secret is ever logged). */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: createLogger({ level, name: 'test' }, stream), lines };
}

/** The control API of a running simulator, as plain calls. */
export function simControl(sim: RunningSimulator) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.controlUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    faults: (faults: FaultSpec[]) => call('POST', '/faults', { faults }),
    price: (market: string, price: string) => call('POST', '/price', { market, price }),
    balance: (symbol: string, available: string) => call('POST', '/balance', { symbol, available }),
    orders: async () => (await call('GET', '/orders')).body.orders as Record<string, unknown>[],
    reset: () => call('POST', '/reset', {}),
    call,
  };
}

export interface SimulatorHarness {
  readonly sim: RunningSimulator;
  readonly client: BitvavoClient;
  readonly control: ReturnType<typeof simControl>;
  readonly logLines: string[];
  /** Another client on the same simulator (other secret, clock, budget...). */
  newClient(overrides?: Partial<BitvavoClientOptions>): BitvavoClient;
  close(): Promise<void>;
}

/** A simulator on a free loopback port (prices still unless asked) and a real client pointed at it. */
export async function startSimulatorHarness(
  simOptions: SimulatorOptions = {},
  clientOptions: Partial<BitvavoClientOptions> = {},
): Promise<SimulatorHarness> {
  const sim = await startSimulator({ port: 0, priceDrift: false, seed: 7, ...simOptions });
  const { logger, lines } = captureLogger();
  const clients: BitvavoClient[] = [];
  const newClient = (overrides: Partial<BitvavoClientOptions> = {}) => {
    const client = createBitvavoClient({
      apiUrl: sim.url,
      apiKey: SIMULATOR_API_KEY,
      apiSecret: SIMULATOR_API_SECRET,
      operatorId: SIMULATOR_OPERATOR_ID,
      timeoutMs: 2_000,
      accessWindowMs: 10_000,
      logger,
      ...clientOptions,
      ...overrides,
    });
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    sim,
    client,
    control: simControl(sim),
    logLines: lines,
    newClient,
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}

/** A hand-made signed request, to probe the simulator where the client would refuse to go. */
export async function rawBitvavoRequest(
  apiUrl: string,
  request: {
    method: 'GET' | 'POST' | 'DELETE';
    pathAndQuery: string;
    body?: string;
    timestampMs?: number;
    secret?: string;
    headers?: Record<string, string>;
  },
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const url = new URL(apiUrl);
  const path = `${url.pathname}${request.pathAndQuery}`;
  const timestampMs = request.timestampMs ?? Date.now();
  const body = request.body ?? '';
  const signature = signRequest(request.secret ?? SIMULATOR_API_SECRET, {
    timestampMs,
    method: request.method,
    path,
    body,
  });
  const response = await fetch(`${url.origin}${path}`, {
    method: request.method,
    headers: {
      'bitvavo-access-key': SIMULATOR_API_KEY,
      'bitvavo-access-timestamp': String(timestampMs),
      'bitvavo-access-signature': signature,
      'bitvavo-access-window': '10000',
      ...(body === '' ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
    ...(body === '' ? {} : { body }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}
