import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../config';
import { registerCommands } from './registerCommands';

/** Exit codes of every `ledger` command: 0 ok, 1 a check failed, 2 usage or configuration. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

export function buildProgram(): Command {
  const program = new Command('ledger')
    .description('trade-ledger: an event-sourced ledger for order execution on Bitvavo')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      ) {
        return EXIT_OK;
      }
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`ledger: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CheckFailed) {
      process.stderr.write(`ledger: ${error.message}\n`);
      return EXIT_CHECK_FAILED;
    }
    // One clear line; the stack only when asked for.
    process.stderr.write(`ledger: ${(error as Error).message ?? String(error)}\n`);
    if (process.env.LEDGER_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return EXIT_CHECK_FAILED;
  }
}
