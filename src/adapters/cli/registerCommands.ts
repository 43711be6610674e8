import type { Command } from 'commander';
import { registerExchangeSimCommand } from './commands/exchangeSimCommand';
import { registerMigrateCommand } from './commands/migrateCommand';

/** Every `ledger` sub-command, one file each under commands/. */
export function registerCommands(program: Command): void {
  registerMigrateCommand(program);
  registerExchangeSimCommand(program);
}
