import { describe, expect, it } from 'vitest';
import { KeyedGate } from '../../../../src/adapters/cli/simulate/keyedGate';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedGate', () => {
  it('lets shared holders run together, and an exclusive holder only alone, first come first served', async () => {
    const gate = new KeyedGate();
    const log: string[] = [];
    let finishFirst!: () => void;
    const first = gate.shared(
      'k',
      () => new Promise<void>((resolve) => (finishFirst = () => (log.push('s1 end'), resolve()))),
    );
    const second = gate.shared('k', async () => void log.push('s2'));
    await tick();
    expect(log).toEqual(['s2']);
    const exclusive = gate.exclusive('k').then((release) => {
      log.push('x');
      return release;
    });
    const late = gate.shared('k', async () => void log.push('s3'));
    await tick();
    expect(log).toEqual(['s2']); // the exclusive waits for s1; s3 waits behind the exclusive
    finishFirst();
    const release = await exclusive;
    await tick();
    expect(log).toEqual(['s2', 's1 end', 'x']);
    const other = gate.shared('other', async () => void log.push('other key'));
    await other;
    release();
    await Promise.all([first, second, late]);
    expect(log).toEqual(['s2', 's1 end', 'x', 'other key', 's3']);
  });
});
