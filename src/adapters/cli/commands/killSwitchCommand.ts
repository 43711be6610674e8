import type { Command } from 'commander';
import { TradingControlService } from '../../../application/control/tradingControlService';
import { loadConfig } from '../../../config';
import type { KillSwitchState } from '../../../domain/control';
import { systemClock } from '../../clock/systemClock';
import { openEventStore } from '../openEventStore';
import { cliActor, requiredText } from '../operatorName';
import { printJson } from '../printJson';

interface ChangeOptions {
  reason: string;
  operator?: string;
  json?: boolean;
}

function describe(killSwitch: KillSwitchState): string {
  const state = killSwitch.engaged ? 'ENGAGED: no new orders are sent' : 'released: trading allowed';
  if (killSwitch.changedAt === null) return `kill switch ${state} (never changed)`;
  return `kill switch ${state}\n  by ${killSwitch.changedBy} at ${killSwitch.changedAt}\n  reason: ${killSwitch.reason}`;
}

async function withControl<T>(work: (control: TradingControlService) => Promise<T>): Promise<T> {
  const stores = await openEventStore(loadConfig());
  try {
    return await work(new TradingControlService(stores.store, systemClock));
  } finally {
    await stores.close();
  }
}

/**
 * `ledger kill-switch engage|release|status`: the same `trading-control` stream the API writes, straight
 * to the event store (it works while the API is down). Engaging an engaged switch changes nothing and
 * is not an error: pressing it twice must never fail.
 */
export function registerKillSwitchCommand(program: Command): void {
  const killSwitch = program
    .command('kill-switch')
    .description('stop (engage) or allow (release) all new orders; every change records who and why');

  for (const action of ['engage', 'release'] as const) {
    killSwitch
      .command(action)
      .description(
        action === 'engage' ? 'stop every new order from the very next request' : 'allow new orders again',
      )
      .requiredOption(
        '--reason <text>',
        'why (recorded in the trading-control stream)',
        requiredText('--reason'),
      )
      .option('--operator <name>', 'who acts (default: the OS user)')
      .option('--json', 'print the result as JSON')
      .action(async (options: ChangeOptions) => {
        const actor = cliActor(options.operator);
        const change = await withControl((control) =>
          control.execute({
            type: action === 'engage' ? 'EngageKillSwitch' : 'ReleaseKillSwitch',
            actor,
            reason: options.reason,
          }),
        );
        if (options.json) {
          printJson({ changed: change.changed, killSwitch: change.state.killSwitch });
          return;
        }
        const already = change.changed
          ? ''
          : `already ${action === 'engage' ? 'engaged' : 'released'}; nothing changed\n`;
        process.stdout.write(`${already}${describe(change.state.killSwitch)}\n`);
      });
  }

  killSwitch
    .command('status')
    .description('show whether the kill switch is engaged, by whom and why')
    .option('--json', 'print the state as JSON')
    .action(async (options: { json?: boolean }) => {
      const state = await withControl((control) => control.read());
      if (options.json) printJson({ killSwitch: state.killSwitch, allowedMarkets: state.allowedMarkets });
      else process.stdout.write(`${describe(state.killSwitch)}\n`);
    });
}
