import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { isoTimeOption, urlOption } from '../../../src/adapters/cli/cliOptions';
import { parseAsOf } from '../../../src/adapters/cli/replay/asOf';

describe('urlOption', () => {
  it('accepts http(s) URLs without a trailing slash', () => {
    expect(urlOption('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    expect(urlOption('https://ledger.internal')).toBe('https://ledger.internal');
  });

  it('drops credentials from the URL (fetch refuses them; preflight printed them in its report)', () => {
    const url = urlOption('http://ops:s3cret@127.0.0.1:3000/');
    expect(url).toBe('http://127.0.0.1:3000');
    expect(url).not.toContain('s3cret');
  });
});

describe('isoTimeOption and --as-of: strict ISO 8601 (Date.parse alone takes nonsense)', () => {
  it('accepts dates, date-times and offsets', () => {
    expect(isoTimeOption('2025-01-01')).toBe(Date.UTC(2025, 0, 1));
    expect(isoTimeOption('2025-01-01T12:00:00Z')).toBe(Date.UTC(2025, 0, 1, 12));
    expect(isoTimeOption('2025-01-01T12:00:00.250+01:00')).toBe(Date.UTC(2025, 0, 1, 11, 0, 0, 250));
    expect(parseAsOf('2025-01-01T12:00Z')).toEqual({ kind: 'time', ms: Date.UTC(2025, 0, 1, 12) });
    expect(parseAsOf('42')).toEqual({ kind: 'position', position: 42n });
  });

  it.each(['2025-01-01junk', '2025-02-30', '2025-13-01', '2025-01-01T25:00:00Z', '2025-01-01 garbage'])(
    'refuses %s (a usage error, not a silently different time)',
    (value) => {
      expect(() => isoTimeOption(value)).toThrow(InvalidArgumentError);
      expect(() => parseAsOf(value)).toThrow(InvalidArgumentError);
    },
  );
});
