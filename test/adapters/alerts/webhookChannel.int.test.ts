import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelNotifier } from '../../../src/adapters/alerts/notifier';
import { WebhookChannel } from '../../../src/adapters/alerts/webhookChannel';
import { ManualClock } from '../../../src/domain/ports/clock';
import { captureLogger } from '../../support/bitvavoSimulator';

interface Received {
  readonly atMs: number;
  readonly body: unknown;
  readonly contentType: string | undefined;
}

/** A local Slack-like receiver; `answer` decides the status of the n-th request (1-based). */
async function startReceiver(answer: (n: number, res: ServerResponse) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  let count = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      count += 1;
      received.push({
        atMs: Date.now(),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        contentType: req.headers['content-type'],
      });
      const status = answer(count, res);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  servers.push(server);
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-token-xyz`,
    received,
    requests: () => count,
  };
}

const servers: Server[] = [];
const channels: WebhookChannel[] = [];
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close(100)));
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

function channel(url: string, options: Partial<ConstructorParameters<typeof WebhookChannel>[0]> = {}) {
  const { logger, lines } = captureLogger();
  const created = new WebhookChannel({
    url,
    logger,
    baseDelayMs: 20,
    maxDelayMs: 500,
    timeoutMs: 1_000,
    random: () => 1,
    ...options,
  });
  channels.push(created);
  return { channel: created, lines };
}

describe('WebhookChannel', () => {
  it('posts { text } as JSON to a Slack-compatible receiver', async () => {
    const receiver = await startReceiver();
    const { channel: webhook } = channel(receiver.url);
    webhook.deliver('hello ops');
    await webhook.flush();
    expect(receiver.received).toEqual([
      { atMs: expect.any(Number), body: { text: 'hello ops' }, contentType: 'application/json' },
    ]);
    expect(webhook.stats()).toEqual({ delivered: 1, failed: 0, dropped: 0, queued: 0 });
  });

  it('retries a receiver that fails at first, with growing delays, and delivers in order', async () => {
    const receiver = await startReceiver((n) => (n <= 3 ? 503 : 200));
    const { channel: webhook } = channel(receiver.url);
    webhook.deliver('first');
    webhook.deliver('second');
    await webhook.flush();
    expect(receiver.requests()).toBe(5);
    expect(receiver.received.map((r) => (r.body as { text: string }).text)).toEqual([
      'first',
      'first',
      'first',
      'first',
      'second',
    ]);
    const gaps = receiver.received.slice(1, 4).map((r, i) => r.atMs - (receiver.received[i]?.atMs ?? 0));
    // random() = 1 makes the waits exactly 20, 40, 80 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    expect(webhook.stats()).toMatchObject({ delivered: 2, failed: 0 });
  });

  it('gives up after the last attempt, logs it without the URL, and goes on with the next message', async () => {
    const receiver = await startReceiver((n) => (n <= 4 ? 500 : 200));
    const { channel: webhook, lines } = channel(receiver.url, { maxAttempts: 4 });
    webhook.deliver('lost');
    webhook.deliver('next');
    await webhook.flush();
    expect(receiver.requests()).toBe(5);
    expect(webhook.stats()).toMatchObject({ delivered: 1, failed: 1 });
    const log = lines.join('');
    expect(log).toContain('alert could not be delivered');
    expect(log).toContain('HTTP 500');
    expect(log).not.toContain('secret-token-xyz');
  });

  it('does not retry a 4xx other than 429', async () => {
    const receiver = await startReceiver(() => 400);
    const { channel: webhook } = channel(receiver.url);
    webhook.deliver('bad');
    await webhook.flush();
    expect(receiver.requests()).toBe(1);
    expect(webhook.stats()).toMatchObject({ delivered: 0, failed: 1 });
  });

  it('honours Retry-After on 429, within the maximum delay', async () => {
    const receiver = await startReceiver((n, res) => {
      if (n === 1) res.setHeader('retry-after', '0.3');
      return n === 1 ? 429 : 200;
    });
    const { channel: webhook } = channel(receiver.url);
    webhook.deliver('slow down');
    await webhook.flush();
    const [first, second] = receiver.received;
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(290);
    expect(webhook.stats().delivered).toBe(1);
  });

  it('retries a receiver that is not there yet (network error) and a timeout', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 'hang' : 200));
    const { channel: webhook } = channel(receiver.url, { timeoutMs: 100 });
    webhook.deliver('after a timeout');
    await webhook.flush();
    expect(receiver.requests()).toBe(2);
    expect(webhook.stats().delivered).toBe(1);

    const { channel: unreachable } = channel('http://127.0.0.1:1/hook', { maxAttempts: 3 });
    unreachable.deliver('nobody listens');
    await unreachable.flush();
    expect(unreachable.stats()).toMatchObject({ delivered: 0, failed: 1 });
  });

  it('keeps a bounded queue: the oldest messages are dropped and counted', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const receiver = await startReceiver((n, res) => {
      if (n === 1) {
        void held.then(() => res.writeHead(200).end());
        return 'hang';
      }
      return 200;
    });
    const { channel: webhook } = channel(receiver.url, { queueMax: 3 });
    for (let i = 1; i <= 6; i++) webhook.deliver(`m${i}`);
    expect(webhook.stats()).toMatchObject({ dropped: 2, queued: 3 });
    release();
    await webhook.flush();
    expect(receiver.received.map((r) => (r.body as { text: string }).text)).toEqual(['m1', 'm4', 'm5', 'm6']);
  });
});

describe('ChannelNotifier', () => {
  it('logs every ops alert at error level, and sends a repeated key once per window', async () => {
    const receiver = await startReceiver();
    const { channel: webhook } = channel(receiver.url);
    const { logger, lines } = captureLogger();
    const clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const notifier = new ChannelNotifier({ opsChannel: webhook, logger, clock, repeatAfterMs: 60_000 });
    const alert = {
      severity: 'critical' as const,
      title: 'Invariant violated',
      text: 'no_duplicates: 2 rows',
      dedupeKey: 'inv:dup',
    };
    notifier.alertOps(alert);
    notifier.alertOps(alert);
    clock.advanceMs(60_000);
    notifier.alertOps({ ...alert, fields: { rows: 2 } });
    await notifier.flush();
    expect(receiver.received).toHaveLength(2);
    expect((receiver.received[1]?.body as { text: string }).text).toContain('• rows: 2');
    const errorLines = lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((l) => l.level === 50);
    expect(errorLines).toHaveLength(3);
    expect(errorLines[0]?.msg).toBe('ALERT Invariant violated: no_duplicates: 2 rows');
  });

  it('sends user notifications through the same channel abstraction', async () => {
    const receiver = await startReceiver();
    const { channel: webhook } = channel(receiver.url);
    const { logger } = captureLogger();
    const notifier = new ChannelNotifier({ opsChannel: webhook, logger, clock: new ManualClock(0) });
    notifier.notifyUser({
      userId: 'alice',
      title: 'Promoted to VALIDATED',
      text: 'Your per-order limit is now €100.00.',
    });
    await notifier.flush();
    const text = (receiver.received[0]?.body as { text: string }).text;
    expect(text).toContain('[user alice] Promoted to VALIDATED');
    expect(text).toContain('€100.00');
  });
});
