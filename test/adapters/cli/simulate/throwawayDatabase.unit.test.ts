import { describe, expect, it } from 'vitest';
import { withoutPassword } from '../../../../src/adapters/cli/simulate/throwawayDatabase';

describe('withoutPassword', () => {
  it('hides the password in the user-info part', () => {
    expect(withoutPassword('postgres://ledger:s3cret@db.internal:5432/ledger')).toBe(
      'postgres://ledger:***@db.internal:5432/ledger',
    );
  });

  it('hides a password given as a query parameter (pg reads ?password= and ?sslpassword=)', () => {
    const printed = withoutPassword(
      'postgres://ledger@db.internal:5432/ledger?sslmode=require&password=s3cret&sslpassword=k3y',
    );
    expect(printed).not.toContain('s3cret');
    expect(printed).not.toContain('k3y');
    expect(printed).toContain('sslmode=require');
    expect(printed).toContain('db.internal:5432/ledger');
  });

  it('never echoes a string it cannot parse', () => {
    expect(withoutPassword('not a url s3cret')).toBe('[database url]');
  });
});
