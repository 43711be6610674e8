import { describe, expect, it } from 'vitest';
import { codeChecks } from '../../../../src/adapters/cli/preflight/codeChecks';
import { succeededRunsInMetrics } from '../../../../src/adapters/cli/preflight/jobsCheck';
import { dryRunDecision } from '../../../../src/adapters/cli/preflight/killSwitchCheck';
import { formatPreflight } from '../../../../src/adapters/cli/preflight/formatPreflight';
import { loadConfig } from '../../../../src/config';

const released = { engaged: false, reason: null, changedBy: null, changedAt: null };
const NOW_MS = Date.parse('2025-01-01T12:00:00Z');

describe('preflight pieces', () => {
  it('dry-runs the gates: refused with KILL_SWITCH only when the switch is engaged', () => {
    expect(dryRunDecision({ ...released, engaged: true, reason: 'drill' }, NOW_MS)).toBe('KILL_SWITCH');
    expect(dryRunDecision(released, NOW_MS)).not.toBe('KILL_SWITCH');
  });

  it('counts a job’s successful runs in the service’s /metrics, other jobs and outcomes left out', () => {
    const text = [
      '# TYPE ledger_job_runs_total counter',
      'ledger_job_runs_total{ledger_job="reconcile",outcome="succeeded"} 7',
      'ledger_job_runs_total{ledger_job="reconcile",outcome="failed"} 2',
      'ledger_job_runs_total{ledger_job="fills",outcome="succeeded"} 3',
    ].join('\n');
    expect(succeededRunsInMetrics(text, 'reconcile')).toBe(7);
    expect(succeededRunsInMetrics(text, 'fills')).toBe(3);
    expect(succeededRunsInMetrics(text, 'invariants')).toBe(0);
  });

  it('reads the job from the `ledger_job` label only, not from a `job` or `exported_job` label', () => {
    const text = [
      'ledger_job_runs_total{job="reconcile",outcome="succeeded"} 5',
      'ledger_job_runs_total{exported_job="reconcile",outcome="succeeded"} 4',
      'ledger_job_runs_total{job="trade-ledger",ledger_job="fills",outcome="succeeded"} 2',
      'ledger_job_runs_total{ledger_job="reconcile-startup",outcome="succeeded"} 1',
    ].join('\n');
    expect(succeededRunsInMetrics(text, 'reconcile')).toBe(0);
    expect(succeededRunsInMetrics(text, 'fills')).toBe(2);
    expect(succeededRunsInMetrics(text, 'trade-ledger')).toBe(0);
  });

  it('passes the code checks of this code base, and says why a bad setting fails', async () => {
    const config = loadConfig({});
    const checks = await codeChecks(config, undefined);
    expect(checks.map((item) => [item.name, item.ok])).toEqual([
      ['event types registered', true],
      ['reconcile configured', true],
      ['error classes complete', true],
    ]);
    const slow = await codeChecks({ ...config, RECONCILE_INTERVAL_MS: 3_600_000 }, undefined);
    expect(slow[1]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/too close to the stale-SUBMITTING threshold/),
    });
  });

  it('prints a checklist by section with the reason of each ❌ and a verdict', () => {
    const lines = formatPreflight(
      [
        { section: 'database', name: 'reachable', ok: true, detail: 'db' },
        { section: 'operations', name: 'alert webhook', ok: false, detail: 'ALERT_WEBHOOK_URL is not set' },
      ],
      'preflight',
    );
    expect(lines).toEqual([
      'preflight',
      '',
      'database',
      '  ✅ reachable: db',
      '',
      'operations',
      '  ❌ alert webhook: ALERT_WEBHOOK_URL is not set',
      '',
      '1 of 2 checks pass: NOT ready (1 ❌)',
    ]);
  });
});
