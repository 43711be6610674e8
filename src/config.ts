import { z } from 'zod';

/**
 * Defaults for the simulated exchange. They are public on purpose: the simulator runs on loopback and
 * holds play money. The real exchange (EXCHANGE=bitvavo) has no defaults for key, secret or operator id.
 */
export const SIMULATOR_API_KEY = 'sim-api-key';
export const SIMULATOR_API_SECRET = 'sim-api-secret';
export const SIMULATOR_OPERATOR_ID = 1001;

const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const configSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    LEDGER_DATA_DIR: z.string().min(1).default('./.ledger'),
    DATABASE_POOL_MAX: intFromEnv(1, 200).default(20),
    EVENTSTORE_URL: z
      .string()
      .regex(/^esdb(\+discover)?:\/\//, 'must be an esdb:// or esdb+discover:// URL')
      .optional(),
    EXCHANGE: z.enum(['simulated', 'bitvavo']).default('simulated'),
    BITVAVO_API_URL: z.url().optional(),
    BITVAVO_API_KEY: z.string().min(1).optional(),
    BITVAVO_API_SECRET: z.string().min(1).optional(),
    BITVAVO_OPERATOR_ID: intFromEnv(1, Number.MAX_SAFE_INTEGER).optional(),
    BITVAVO_TIMEOUT_MS: intFromEnv(100, 120_000).default(10_000),
    BITVAVO_ACCESS_WINDOW_MS: intFromEnv(100, 60_000).default(10_000),
    BITVAVO_RATE_LIMIT_PER_MIN: intFromEnv(0, 100_000).default(1000),
    SIMULATOR_SEED: intFromEnv(0, 2 ** 31 - 1).default(42),
    PORT: intFromEnv(0, 65_535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    ALERT_WEBHOOK_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    JOBS_ENABLED: booleanFromEnv.default(true),
    /** Run the projection runners here; API-only instances turn this off (another instance applies them). */
    PROJECTIONS_ENABLED: booleanFromEnv.default(true),
    RECONCILE_INTERVAL_MS: intFromEnv(100, 3_600_000).default(5_000),
    RECONCILE_MIN_AGE_MS: intFromEnv(0, 3_600_000).default(10_000),
    /** No re-send (nor lookup) sooner than this after a send that answered SOFT (105 ban, 107/108, ...). */
    RECONCILE_SOFT_RETRY_DELAY_MS: intFromEnv(0, 600_000).default(10_000),
    /**
     * The most our clock may differ from the exchange's. At least 500 ms: the recorded send time may
     * precede the real send by up to half of it (at least 100 ms), so a smaller margin is no margin.
     */
    CLOCK_SKEW_MAX_MS: intFromEnv(500, 600_000).default(5_000),
    API_RATE_LIMIT_PER_MIN: intFromEnv(1, 1_000_000).default(6_000),
  })
  .superRefine((config, ctx) => {
    if (config.EXCHANGE === 'bitvavo') {
      for (const key of ['BITVAVO_API_KEY', 'BITVAVO_API_SECRET', 'BITVAVO_OPERATOR_ID'] as const) {
        if (config[key] === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'is required when EXCHANGE=bitvavo' });
        }
      }
    }
  })
  .transform((config) => ({
    ...config,
    BITVAVO_API_URL:
      config.BITVAVO_API_URL ?? (config.EXCHANGE === 'bitvavo' ? 'https://api.bitvavo.com/v2' : undefined),
    BITVAVO_API_KEY: config.BITVAVO_API_KEY ?? SIMULATOR_API_KEY,
    BITVAVO_API_SECRET: config.BITVAVO_API_SECRET ?? SIMULATOR_API_SECRET,
    BITVAVO_OPERATOR_ID: config.BITVAVO_OPERATOR_ID ?? SIMULATOR_OPERATOR_ID,
  }));

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the environment once. A bad value gives one line per problem, never the value itself (it may be a secret). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(configSchema.in.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}
