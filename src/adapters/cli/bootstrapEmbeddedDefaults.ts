import type { App } from '../../app';
import type { Config } from '../../config';
import { SYSTEM_ACTOR } from '../../domain/policy';

export const DEMO_USER_ID = 'demo';

export interface BootstrapResult {
  /** Keys created now (shown once); empty when keys already existed. */
  readonly createdKeys: readonly {
    readonly role: 'ops' | 'trader';
    readonly userId: string | null;
    readonly key: string;
  }[];
  readonly demoEnabled: boolean;
}

/** Embedded defaults: no DATABASE_URL and the simulated exchange, i.e. `npm start` on a fresh machine. */
export function usesEmbeddedDefaults(config: Config): boolean {
  return config.DATABASE_URL === undefined && config.EXCHANGE === 'simulated';
}

/**
 * First `serve` on the embedded defaults: with no API keys yet, create one ops key and one trader key
 * for the user `demo` (printed once by the caller), and enable `demo` for trading with an audited
 * event (actor "system"), so that a newcomer can trade the moment the service is up.
 */
export async function bootstrapEmbeddedDefaults(app: App): Promise<BootstrapResult> {
  const { keys, policy } = app.services;
  let demoEnabled = false;
  if (!(await policy.exists(DEMO_USER_ID))) {
    const change = await policy.execute(DEMO_USER_ID, [
      {
        type: 'EnableTrading',
        actor: SYSTEM_ACTOR,
        reason: 'embedded defaults: the demo user starts enabled',
      },
    ]);
    demoEnabled = change.changed;
  }
  if ((await keys.count()) > 0) return { createdKeys: [], demoEnabled };
  const ops = await keys.create({ role: 'ops', name: 'admin' });
  const trader = await keys.create({ role: 'trader', userId: DEMO_USER_ID, name: DEMO_USER_ID });
  return {
    createdKeys: [
      { role: 'ops', userId: null, key: ops.key },
      { role: 'trader', userId: DEMO_USER_ID, key: trader.key },
    ],
    demoEnabled,
  };
}
