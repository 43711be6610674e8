import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { SIMULATOR_API_KEY, SIMULATOR_API_SECRET } from '../../../config';
import type { Clock } from '../../../domain/ports/clock';
import { DEFAULT_RATE_LIMIT_PER_MIN, endpointWeight } from '../bitvavo/endpointWeights';
import { PriceDrift } from './PriceDrift';
import { handleControl } from './simControlApi';
import { SimFaults, type FaultPlan } from './SimFaults';
import { SimRateLimiter } from './SimRateLimiter';
import { checkQueryParams, failAnswer, findRoute, type RouteAnswer, type SimRoute } from './simRoutes';
import { SimulatedExchange } from './SimulatedExchange';
import { isSimError, simError } from './simError';
import { DEFAULT_SIM_BALANCES, DEFAULT_SIM_MARKETS, type SimMarketConfig } from './simulatorDefaults';
import { verifySimAuth } from './verifySimAuth';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly seed?: number;
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** Weight points per minute per key; 0 turns rate limiting off. Default 1000. */
  readonly rateLimitPerMin?: number;
  /** How long a 105 ban lasts. Default one minute. */
  readonly rateLimitBanMs?: number;
  /** Probability (0..1) of a random fault on each /v2 request. Default 0. */
  readonly faultRate?: number;
  readonly initialBalances?: Readonly<Record<string, string>>;
  readonly markets?: readonly SimMarketConfig[];
  /** A gentle random walk of prices (default on). Tests turn it off and set prices via /_sim/price. */
  readonly priceDrift?: boolean;
  readonly priceDriftIntervalMs?: number;
  /** Longest a `timeout` fault holds a request before dropping the connection. Default 10 minutes. */
  readonly maxHoldMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface RunningSimulator {
  /** The API root, ending in `/v2`. */
  readonly url: string;
  /** The control API root, ending in `/_sim`. */
  readonly controlUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

/** Starts the Bitvavo simulator on loopback: REST v2 under `/v2`, the control API under `/_sim`. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 42;
  const apiKey = options.apiKey ?? SIMULATOR_API_KEY;
  const apiSecret = options.apiSecret ?? SIMULATOR_API_SECRET;
  const clock = options.clock ?? { nowMs: () => Date.now() };
  const maxHoldMs = options.maxHoldMs ?? 10 * 60_000;
  const exchange = new SimulatedExchange({
    markets: options.markets ?? DEFAULT_SIM_MARKETS,
    balances: options.initialBalances ?? DEFAULT_SIM_BALANCES,
    seed,
  });
  const limiter = new SimRateLimiter(
    options.rateLimitPerMin ?? DEFAULT_RATE_LIMIT_PER_MIN,
    options.rateLimitBanMs ?? 60_000,
  );
  const faults = new SimFaults(seed, options.faultRate ?? 0);
  const drift = new PriceDrift(exchange, seed, options.priceDriftIntervalMs ?? 5_000, () => clock.nowMs());
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;

  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    timers.add(timer);
    return timer;
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => later(ms, resolve));

  const send = (res: ServerResponse, answer: RouteAnswer, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(answer.body));
  };

  /** Authentication, parameters and the endpoint itself: the "commit" of a request. */
  const commit = (route: SimRoute, req: IncomingMessage, url: URL, bodyText: string): RouteAnswer => {
    const nowMs = clock.nowMs();
    if (route.private || req.headers['bitvavo-access-key'] !== undefined) {
      const path = req.url ?? url.pathname;
      const authError = verifySimAuth({
        headers: req.headers,
        method: route.method,
        path,
        body: bodyText,
        nowMs,
        apiKey,
        apiSecret,
      });
      if (authError !== undefined) return failAnswer(authError);
    }
    const queryError = checkQueryParams(route, url.searchParams);
    if (queryError !== undefined) return failAnswer(queryError);
    let body: unknown;
    if (route.method !== 'POST') {
      if (bodyText !== '')
        return failAnswer(simError(400, 201, 'Body parameters are not accepted for this endpoint.'));
    } else {
      try {
        body = JSON.parse(bodyText) as unknown;
      } catch {
        return failAnswer(simError(400, 102, 'The JSON object you sent is invalid.'));
      }
    }
    return route.handle({ query: url.searchParams, body, nowMs, exchange });
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL, bodyText: string) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const route = findRoute(method, url.pathname.slice('/v2'.length));
    if (isSimError(route)) return send(res, failAnswer(route));
    const caller =
      (req.headers['bitvavo-access-key'] as string | undefined) ?? req.socket.remoteAddress ?? 'unknown';
    const weight = endpointWeight(method, route.endpoint, url.searchParams);
    const verdict = limiter.charge(caller, weight, clock.nowMs());
    if (verdict.error !== undefined) return send(res, failAnswer(verdict.error), verdict.headers);

    const fault: FaultPlan | undefined = faults.take(method, url.pathname);
    if (fault !== undefined) options.logger?.info({ fault, method, path: url.pathname }, 'simulator fault');
    if (fault?.kind === 'timeout') {
      // Hold the request unanswered; close() or the hold limit drops the connection.
      later(maxHoldMs, () => req.socket.destroy());
      return;
    }
    if (fault?.kind === 'error_before_commit') {
      const answer = {
        status: fault.status,
        body: { errorCode: fault.errorCode, error: 'Simulated error; the request was not processed.' },
      };
      return send(res, answer, verdict.headers);
    }
    if (fault?.kind === 'delay') {
      await sleep(fault.ms);
      if (closed) return;
    }
    const answer = commit(route, req, url, bodyText);
    if (fault?.kind === 'drop_after_commit') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'error_after_commit') {
      const body = {
        errorCode: fault.errorCode,
        error: 'Unknown error. Operation may or may not have succeeded.',
      };
      return send(res, { status: fault.status, body }, verdict.headers);
    }
    options.logger?.debug({ method, path: url.pathname, status: answer.status }, 'simulator request');
    send(res, answer, verdict.headers);
  };

  const resetRest = () => {
    limiter.reset();
    faults.reset();
    drift.reset();
  };

  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    void (async () => {
      const bodyText = await readBody(req);
      if (closed) return;
      if (bodyText === undefined)
        return send(res, failAnswer(simError(400, 102, 'The request body is too large.')));
      const url = new URL(req.url ?? '/', 'http://simulator');
      if (url.pathname.startsWith('/_sim/')) {
        const endpoint = url.pathname.slice('/_sim'.length);
        const method = (req.method ?? 'GET').toUpperCase();
        return send(
          res,
          handleControl({ method, endpoint, bodyText, nowMs: clock.nowMs(), exchange, faults, resetRest }),
        );
      }
      if (!url.pathname.startsWith('/v2/'))
        return send(res, failAnswer(simError(404, 110, 'Invalid endpoint.')));
      await handleApi(req, res, url, bodyText);
    })().catch((error: unknown) => {
      options.logger?.error({ err: error }, 'simulator request failed');
      send(res, {
        status: 500,
        body: { errorCode: 101, error: 'Unknown error. Operation may or may not have succeeded.' },
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  if (options.priceDrift ?? true) drift.start();
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info(
    { url: `${origin}/v2`, seed, faultRate: options.faultRate ?? 0 },
    'bitvavo simulator listening',
  );

  return {
    url: `${origin}/v2`,
    controlUrl: `${origin}/_sim`,
    port,
    close: async () => {
      if (closed) return;
      closed = true;
      drift.stop();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      // Held (`timeout`) and keep-alive connections would otherwise keep close() waiting.
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}
