import { describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../../src/adapters/cli/progressReporter';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (chunk: string) => writes.push(chunk) > 0 } };
}

describe('createProgressReporter', () => {
  it('redraws one bar in place on a terminal, at most once per interval, and ends the line', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const progress = createProgressReporter({ label: 'replaying', total: 200, stream, nowMs: () => now });
    now = 150;
    progress.update(50, '10 streams');
    now = 160;
    progress.update(60); // within the interval: skipped
    now = 300;
    progress.update(100);
    progress.finish(200, 'done');
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(/^\rreplaying \[█{8}░{22}\] {2}25% 50\/200 events · 10 streams$/);
    expect(writes.every((write) => write.startsWith('\r'))).toBe(true);
    expect(writes[2]).toMatch(/100% 200\/200 events · done\s*\n$/);
  });

  it('writes plain lines without a bar when not on a terminal, and nothing when disabled', () => {
    const { writes, stream } = fakeStream(false);
    let now = 0;
    const progress = createProgressReporter({ label: 'replaying', stream, nowMs: () => now });
    progress.update(10);
    now = 6_000;
    progress.update(20);
    progress.finish(25);
    expect(writes).toEqual(['replaying: 20 events\n', 'replaying: 25 events\n']);
    const off = fakeStream(false);
    const silent = createProgressReporter({ label: 'x', stream: off.stream, enabled: false });
    silent.update(1);
    silent.finish(1);
    expect(off.writes).toEqual([]);
  });
});
