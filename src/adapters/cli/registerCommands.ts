import type { Command } from 'commander';
import { registerExchangeSimCommand } from './commands/exchangeSimCommand';
import { registerInvariantsCommand } from './commands/invariantsCommand';
import { registerJobsCommand } from './commands/jobsCommand';
import { registerKeysCommand } from './commands/keysCommand';
import { registerKillSwitchCommand } from './commands/killSwitchCommand';
import { registerMigrateCommand } from './commands/migrateCommand';
import { registerPreflightCommand } from './commands/preflightCommand';
import { registerPromotionsCommand } from './commands/promotionsCommand';
import { registerRebuildCommand } from './commands/rebuildCommand';
import { registerReplayCommand } from './commands/replayCommand';
import { registerSimulateCommand } from './commands/simulateCommand';
import { registerServeCommand } from './commands/serveCommand';
import { registerVerifyCommand } from './commands/verifyCommand';

/** Every `ledger` sub-command, one file each under commands/. */
export function registerCommands(program: Command): void {
  registerServeCommand(program);
  registerKeysCommand(program);
  registerMigrateCommand(program);
  registerExchangeSimCommand(program);
  registerReplayCommand(program);
  registerInvariantsCommand(program);
  registerSimulateCommand(program);
  registerPreflightCommand(program);
  registerKillSwitchCommand(program);
  registerPromotionsCommand(program);
  registerJobsCommand(program);
  registerRebuildCommand(program);
  registerVerifyCommand(program);
}
