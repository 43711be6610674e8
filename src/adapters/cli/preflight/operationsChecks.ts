import pino from 'pino';
import type pg from 'pg';
import type { Config } from '../../../config';
import { WebhookChannel } from '../../alerts/webhookChannel';
import { jobsAliveCheck } from './jobsAliveCheck';
import { jobsCheck } from './jobsCheck';
import { killSwitchCheck } from './killSwitchCheck';
import { check, fail, pass, type PreflightCheck } from './preflightCheck';
import { describeAnswer, type ServiceClient } from './serviceClient';

export interface OperationsOptions {
  readonly sendTestAlert: boolean;
  readonly testKillSwitch: boolean;
  /** How long to wait for the interval jobs of a service that has just started. */
  readonly jobsWaitMs: number;
}

async function sendTestAlert(url: string): Promise<boolean> {
  const channel = new WebhookChannel({
    url,
    logger: pino({ level: 'silent' }),
    maxAttempts: 2,
    timeoutMs: 5_000,
  });
  try {
    channel.deliver(
      `:white_check_mark: trade-ledger preflight: test alert at ${new Date().toISOString()} (no action needed)`,
    );
    await channel.flush(15_000);
    return channel.stats().delivered === 1;
  } finally {
    await channel.close();
  }
}

export async function operationsChecks(
  client: ServiceClient,
  pool: pg.Pool | undefined,
  config: Config,
  options: OperationsOptions,
): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  const up = await check('operations', `service answering at ${client.baseUrl}`, async () => {
    const health = await client.request('GET', '/healthz');
    if (health.status !== 200) return fail(`GET /healthz: ${describeAnswer(health)}`);
    const ready = await client.request('GET', '/readyz');
    const checks = (ready.body as { checks?: Record<string, string> }).checks ?? {};
    const summary = Object.entries(checks)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ');
    return ready.status === 200
      ? pass(`healthy and ready (${summary})`)
      : fail(`not ready: ${describeAnswer(ready)} (${summary})`);
  });
  checks.push(up);

  const keyed = await check('operations', 'ops API key accepted', async () => {
    if (!client.hasKey)
      return fail(
        'no API key: pass --api-key or set LEDGER_API_KEY (an ops key: ledger keys create --role ops)',
      );
    const answer = await client.request('GET', '/v1/ops/kill-switch');
    if (answer.status === 200) return pass('GET /v1/ops/kill-switch answered');
    if (answer.status === 401) return fail(`the key was refused (${describeAnswer(answer)})`);
    if (answer.status === 403) return fail('the key is not an ops key');
    return fail(describeAnswer(answer));
  });
  checks.push(keyed);

  checks.push(
    await check('operations', 'jobs registered on a live instance', () =>
      pool === undefined
        ? fail('the database is not reachable')
        : jobsAliveCheck(pool, { waitMs: options.jobsWaitMs, nowMs: () => Date.now() }),
    ),
  );

  checks.push(
    await check('operations', "jobs' last runs", () =>
      pool === undefined
        ? fail('the database is not reachable')
        : jobsCheck(pool, config, {
            waitMs: options.jobsWaitMs,
            nowMs: () => Date.now(),
            readMetrics: async () => {
              if (!up.ok || !keyed.ok) return undefined;
              const answer = await client.request('GET', '/metrics').catch(() => undefined);
              return answer?.status === 200 ? answer.text : undefined;
            },
          }),
    ),
  );

  checks.push(
    await check('operations', 'alert webhook', async () => {
      const url = config.ALERT_WEBHOOK_URL;
      if (url === undefined) return fail('ALERT_WEBHOOK_URL is not set: alerts would only reach the log');
      const host = new URL(url).host;
      if (!options.sendTestAlert)
        return pass(`configured (${host}); --send-test-alert to prove it is reachable`);
      return (await sendTestAlert(url))
        ? pass(`a test alert was delivered to ${host}`)
        : fail(`the test alert was not accepted by ${host}`);
    }),
  );

  const needsKey = (name: string, run: () => Promise<PreflightCheck>) =>
    up.ok && keyed.ok
      ? run()
      : Promise.resolve<PreflightCheck>({
          section: 'operations',
          name,
          ok: false,
          detail: 'needs the service and an ops key (see above)',
        });

  checks.push(
    await needsKey('kill switch path', () =>
      check('operations', 'kill switch path', () =>
        killSwitchCheck(client, { roundTrip: options.testKillSwitch, nowMs: () => Date.now() }),
      ),
    ),
  );

  checks.push(
    await needsKey('/metrics answering', () =>
      check('operations', '/metrics answering', async () => {
        const answer = await client.request('GET', '/metrics');
        if (answer.status !== 200) return fail(`GET /metrics: ${describeAnswer(answer)}`);
        const families = new Set(
          answer.text
            .split('\n')
            .filter((line) => line.startsWith('# TYPE ledger_'))
            .map((line) => line.split(' ')[2]),
        );
        return families.size > 0
          ? pass(`${families.size} ledger_* metric families`)
          : fail('no ledger_* metrics in the answer');
      }),
    ),
  );
  return checks;
}
