import type { Command } from 'commander';
import { registerExchangeSimCommand } from './commands/exchangeSimCommand';
import { registerInvariantsCommand } from './commands/invariantsCommand';
import { registerMigrateCommand } from './commands/migrateCommand';
import { registerReplayCommand } from './commands/replayCommand';

/** Every `ledger` sub-command, one file each under commands/. */
export function registerCommands(program: Command): void {
  registerMigrateCommand(program);
  registerExchangeSimCommand(program);
  registerReplayCommand(program);
  registerInvariantsCommand(program);
}
