import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SIMULATOR_API_KEY } from '../../src/config';

describe('loadConfig', () => {
  it('gives the embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.LEDGER_DATA_DIR).toBe('./.ledger');
    expect(config.EXCHANGE).toBe('simulated');
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.BITVAVO_API_KEY).toBe(SIMULATOR_API_KEY);
    expect(config.EVENTSTORE_URL).toBeUndefined();
  });

  it('RECONCILE_SOFT_RETRY_DELAY_MS: 10 s by default, 0 to 600 000 ms, integers only', () => {
    expect(loadConfig({}).RECONCILE_SOFT_RETRY_DELAY_MS).toBe(10_000);
    expect(loadConfig({ RECONCILE_SOFT_RETRY_DELAY_MS: '0' }).RECONCILE_SOFT_RETRY_DELAY_MS).toBe(0);
    expect(loadConfig({ RECONCILE_SOFT_RETRY_DELAY_MS: '600000' }).RECONCILE_SOFT_RETRY_DELAY_MS).toBe(
      600_000,
    );
    for (const bad of ['-1', '600001', '1.5', 'ten']) {
      expect(() => loadConfig({ RECONCILE_SOFT_RETRY_DELAY_MS: bad })).toThrow(
        /RECONCILE_SOFT_RETRY_DELAY_MS/,
      );
    }
  });

  it('CLOCK_SKEW_MAX_MS: at least 500 ms (the recorded send time may precede the real send by up to half of it, at least 100 ms)', () => {
    expect(loadConfig({}).CLOCK_SKEW_MAX_MS).toBe(5_000);
    expect(loadConfig({ CLOCK_SKEW_MAX_MS: '500' }).CLOCK_SKEW_MAX_MS).toBe(500);
    for (const bad of ['0', '200', '499']) {
      expect(() => loadConfig({ CLOCK_SKEW_MAX_MS: bad })).toThrow(/CLOCK_SKEW_MAX_MS/);
    }
  });

  it('names every bad variable in one message', () => {
    const attempt = () =>
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', EVENTSTORE_URL: 'http://x', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'EVENTSTORE_URL', 'LOG_LEVEL'])
        expect(message).toContain(name);
    }
  });

  it('requires key, secret and operator id for the real exchange, and never echoes a secret', () => {
    expect(() => loadConfig({ EXCHANGE: 'bitvavo' })).toThrow(
      /BITVAVO_API_KEY.*BITVAVO_API_SECRET.*BITVAVO_OPERATOR_ID/,
    );
    const secret = 'top-secret-value-123';
    try {
      loadConfig({ EXCHANGE: 'bitvavo', BITVAVO_API_SECRET: secret, BITVAVO_OPERATOR_ID: 'not-a-number' });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
      expect((error as Error).message).toContain('BITVAVO_OPERATOR_ID');
    }
    const config = loadConfig({
      EXCHANGE: 'bitvavo',
      BITVAVO_API_KEY: 'k',
      BITVAVO_API_SECRET: 's',
      BITVAVO_OPERATOR_ID: '42',
    });
    expect(config.BITVAVO_API_URL).toBe('https://api.bitvavo.com/v2');
    expect(config.BITVAVO_OPERATOR_ID).toBe(42);
  });

  it('accepts esdb URLs and postgres URLs', () => {
    const config = loadConfig({
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      DATABASE_URL: 'postgres://u:p@h:5432/d',
    });
    expect(config.EVENTSTORE_URL).toBe('esdb://localhost:2113?tls=false');
  });
});
