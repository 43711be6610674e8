import { describe, expect, it } from 'vitest';
import { NotReady } from '../../src/application/errors';
import { Readiness } from '../../src/application/readiness';

describe('Readiness', () => {
  it('is ready when every check passes and no hold is pending', async () => {
    const readiness = new Readiness();
    readiness.addCheck({ name: 'a', check: async () => undefined });
    expect(await readiness.evaluate(100)).toEqual({ ready: true, checks: { a: 'ok' } });
  });

  it('reports a failing or silent check by name, with its message', async () => {
    const readiness = new Readiness();
    readiness.addCheck({ name: 'db', check: async () => Promise.reject(new Error('connection refused')) });
    readiness.addCheck({ name: 'slow', check: () => new Promise(() => undefined) });
    const report = await readiness.evaluate(50);
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual({ db: 'connection refused', slow: 'no answer within 50 ms' });
  });

  it('holds submissions until every hold is released', async () => {
    const readiness = new Readiness();
    const releaseA = readiness.hold('startup');
    const releaseB = readiness.hold('other');
    expect(() => readiness.assertAcceptingSubmissions()).toThrow(NotReady);
    expect((await readiness.evaluate(10)).checks).toEqual({ startup: 'in progress', other: 'in progress' });
    releaseA();
    releaseA();
    expect(() => readiness.assertAcceptingSubmissions()).toThrow(/other/);
    releaseB();
    expect(() => readiness.assertAcceptingSubmissions()).not.toThrow();
    expect((await readiness.evaluate(10)).ready).toBe(true);
  });

  it('refuses two checks with one name', () => {
    const readiness = new Readiness();
    readiness.addCheck({ name: 'x', check: async () => undefined });
    expect(() => readiness.addCheck({ name: 'x', check: async () => undefined })).toThrow();
  });
});
