import { describe, expect, it } from 'vitest';
import { urlOption } from '../../../src/adapters/cli/cliOptions';

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
