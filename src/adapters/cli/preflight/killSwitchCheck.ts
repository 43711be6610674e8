import {
  initialTradingControlState,
  type KillSwitchState,
  type TradingControlState,
} from '../../../domain/control';
import { evaluateGates, type TradeProposal } from '../../../domain/gates';
import { initialUserPolicyState } from '../../../domain/policy';
import { fail, pass, type Verdict } from './preflightCheck';
import { describeAnswer, type ServiceClient } from './serviceClient';

const PROBE_PROPOSAL: TradeProposal = {
  market: 'BTC-EUR',
  side: 'buy',
  orderType: 'market',
  amountQuote: '10',
  expiresAt: '',
};

/**
 * The gates' decision for a small order with the kill switch as given and everything else open: a
 * dry run of the domain's own gate function, nothing recorded, nothing sent.
 */
export function dryRunDecision(killSwitch: KillSwitchState, nowMs: number): string {
  const control: TradingControlState = { ...initialTradingControlState(), killSwitch };
  const result = evaluateGates({
    proposal: { ...PROBE_PROPOSAL, expiresAt: new Date(nowMs + 60_000).toISOString() },
    nowMs,
    control,
    policy: initialUserPolicyState('preflight', { tradingEnabled: true }),
    balances: { EUR: '1000' },
    price: '60000',
    marketRules: undefined,
  });
  return result.ok ? 'ALLOWED' : result.code;
}

async function readKillSwitch(client: ServiceClient): Promise<KillSwitchState> {
  const answer = await client.request('GET', '/v1/ops/kill-switch');
  if (answer.status !== 200) throw new Error(`GET /v1/ops/kill-switch: ${describeAnswer(answer)}`);
  return answer.body as KillSwitchState;
}

async function setKillSwitch(
  client: ServiceClient,
  engaged: boolean,
  reason: string,
): Promise<KillSwitchState> {
  const answer = await client.request('PUT', '/v1/ops/kill-switch', { engaged, reason });
  if (answer.status !== 200)
    throw new Error(`PUT /v1/ops/kill-switch engaged=${engaged}: ${describeAnswer(answer)}`);
  return answer.body as KillSwitchState;
}

/**
 * The kill switch path, proven without halting trading: the switch is readable and released, and
 * the gates refuse an order when it is engaged (dry run). With `roundTrip`, it is really engaged
 * through the API, read back, and released (trading halts for that moment).
 */
export async function killSwitchCheck(
  client: ServiceClient,
  options: { roundTrip: boolean; nowMs: () => number },
): Promise<Verdict> {
  const current = await readKillSwitch(client);
  if (current.engaged) {
    return fail(
      `engaged by ${current.changedBy ?? '?'} at ${current.changedAt ?? '?'} (${current.reason ?? 'no reason'}): trading is halted`,
    );
  }
  const engagedDecision = dryRunDecision(
    { ...current, engaged: true, reason: 'preflight dry run' },
    options.nowMs(),
  );
  const releasedDecision = dryRunDecision(current, options.nowMs());
  if (engagedDecision !== 'KILL_SWITCH')
    return fail(`with the switch engaged the gates answered ${engagedDecision}, not KILL_SWITCH`);
  if (releasedDecision === 'KILL_SWITCH')
    return fail('the gates refuse with KILL_SWITCH although it is released');
  if (!options.roundTrip) {
    return pass(
      'released; dry run with the switch engaged is refused (KILL_SWITCH); --test-kill-switch for a real round trip',
    );
  }
  const startedMs = Date.now();
  const engaged = await setKillSwitch(client, true, 'preflight: kill switch round trip');
  let released: KillSwitchState | undefined;
  try {
    const readBack = await readKillSwitch(client);
    if (!engaged.engaged || !readBack.engaged) return fail('PUT engaged=true did not engage the switch');
    const live = dryRunDecision(readBack, options.nowMs());
    if (live !== 'KILL_SWITCH') return fail(`with the live engaged state the gates answered ${live}`);
  } finally {
    released = await setKillSwitch(client, false, 'preflight: kill switch round trip done').catch(
      () => undefined,
    );
  }
  const after = released === undefined ? undefined : await readKillSwitch(client).catch(() => undefined);
  if (after === undefined || after.engaged) {
    return fail(
      'THE KILL SWITCH IS LEFT ENGAGED: release it now (ledger kill-switch release, or PUT /v1/ops/kill-switch)',
    );
  }
  return pass(`engaged, refused (KILL_SWITCH) and released through the API in ${Date.now() - startedMs} ms`);
}
