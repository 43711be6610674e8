import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { createLogger } from '../../logging/createLogger';
import { startSimulator } from '../../exchange/simulator/startSimulator';
import { integerOption, numberOption } from '../cliOptions';

interface ExchangeSimOptions {
  port: number;
  host: string;
  seed?: number;
  faultRate: number;
  rateLimitPerMin?: number;
  priceDrift: boolean;
}

/** `ledger exchange-sim`: the Bitvavo simulator as a process, until SIGINT / SIGTERM. */
export function registerExchangeSimCommand(program: Command): void {
  program
    .command('exchange-sim')
    .description('run the Bitvavo REST v2 simulator (API under /v2, control API under /_sim)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', integerOption(0, 65_535), 8090)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--seed <n>',
      'seed for prices, order ids and random faults (default SIMULATOR_SEED)',
      integerOption(0, 2 ** 31 - 1),
    )
    .option('--fault-rate <r>', 'probability (0..1) of a random fault per request', numberOption(0, 1), 0)
    .option(
      '--rate-limit-per-min <n>',
      'weight points per minute per key, 0 = off (default BITVAVO_RATE_LIMIT_PER_MIN)',
      integerOption(0, 1_000_000),
    )
    .option('--no-price-drift', 'keep prices still (move them with POST /_sim/price)')
    .action(async (options: ExchangeSimOptions) => {
      const config = loadConfig();
      const logger = createLogger({ level: config.LOG_LEVEL, name: 'exchange-sim' });
      const simulator = await startSimulator({
        port: options.port,
        host: options.host,
        seed: options.seed ?? config.SIMULATOR_SEED,
        apiKey: config.BITVAVO_API_KEY,
        apiSecret: config.BITVAVO_API_SECRET,
        rateLimitPerMin: options.rateLimitPerMin ?? config.BITVAVO_RATE_LIMIT_PER_MIN,
        faultRate: options.faultRate,
        priceDrift: options.priceDrift,
        logger,
      });
      process.stdout.write(`Bitvavo simulator listening on ${simulator.url}\n`);
      process.stdout.write(`control API on ${simulator.controlUrl}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await simulator.close();
      process.stdout.write('Bitvavo simulator stopped\n');
    });
}
