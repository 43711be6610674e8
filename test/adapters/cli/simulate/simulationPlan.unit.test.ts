import { describe, expect, it } from 'vitest';
import { planFault, SIMULATED_FAULT_KINDS } from '../../../../src/adapters/cli/simulate/faultPlan';
import { burstsOf, planSimulation } from '../../../../src/adapters/cli/simulate/simulationPlan';
import { clientOrderIdSchema } from '../../../../src/domain/execution';

const options = { seed: 7, executions: 1200, concurrency: 4, hours: 24, startMs: Date.UTC(2025, 0, 1) };

describe('planSimulation', () => {
  it('is the same for the same seed, and different for another', () => {
    expect(planSimulation(options)).toEqual(planSimulation(options));
    expect(planSimulation({ ...options, seed: 8 })[0]?.clientOrderId).not.toBe(
      planSimulation(options)[0]?.clientOrderId,
    );
  });

  it('spreads the executions over the hours in bursts of the concurrency, at the checklist rate', () => {
    const planned = planSimulation(options);
    const bursts = burstsOf(planned);
    expect(bursts).toHaveLength(300);
    expect(bursts.every((burst) => burst.length === 4)).toBe(true);
    const lastMs = planned.at(-1)!.atMs;
    expect(lastMs).toBeLessThan(options.startMs + 24 * 3_600_000);
    // 50 an hour on average, in every hour.
    const perHour = new Map<number, number>();
    for (const execution of planned) {
      const hour = Math.floor((execution.atMs - options.startMs) / 3_600_000);
      perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
    }
    expect([...perHour.values()].every((count) => count >= 48 && count <= 52)).toBe(true);
  });

  it('makes valid, distinct UUIDs and a realistic mix: mostly trades, a few meant to be refused', () => {
    const planned = planSimulation(options);
    expect(new Set(planned.map((execution) => execution.clientOrderId)).size).toBe(planned.length);
    expect(planned.every((execution) => clientOrderIdSchema.safeParse(execution.clientOrderId).success)).toBe(
      true,
    );
    const trades = planned.filter((execution) => execution.intent === 'trade').length;
    expect(trades / planned.length).toBeGreaterThan(0.9);
    expect(planned.some((execution) => execution.intent === 'over_limit')).toBe(true);
    expect(planned.some((execution) => execution.intent === 'market_not_allowed')).toBe(true);
    for (const execution of planned) {
      // Money as decimal strings, one of the shapes Bitvavo accepts.
      for (const value of [execution.amount, execution.amountQuote, execution.price]) {
        if (value !== null) expect(value).toMatch(/^\d+(\.\d+)?$/);
      }
      expect((execution.amount === null) !== (execution.amountQuote === null)).toBe(true);
    }
  });
});

describe('planFault', () => {
  const plan = { seed: 3, faultRate: 0.2, clientTimeoutMs: 1000 };

  it('depends only on the seed, the execution and the call number', () => {
    const id = '5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b';
    for (let call = 0; call < 50; call++) {
      expect(planFault(plan, 'place_order', id, call)).toEqual(planFault(plan, 'place_order', id, call));
    }
  });

  it('faults about the given share of calls with every kind, and kills workers only on their way to send', () => {
    const ids = planSimulation({ ...options, executions: 3000 }).map((execution) => execution.clientOrderId);
    const sends = ids.map((id) => planFault(plan, 'place_order', id, 0));
    const lookups = ids.map((id) => planFault(plan, 'get_order', id, 1));
    const share = sends.filter((fault) => fault !== undefined).length / ids.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    expect(new Set(sends.map((fault) => fault?.kind).filter(Boolean))).toEqual(
      new Set(SIMULATED_FAULT_KINDS),
    );
    expect(lookups.some((fault) => fault?.kind === 'worker_death')).toBe(false);
    for (const fault of sends) {
      if (fault?.kind === 'slow_response') expect(fault.delayMs).toBeGreaterThan(plan.clientTimeoutMs);
      if (fault?.kind === 'delay') expect(fault.delayMs).toBeLessThan(plan.clientTimeoutMs);
    }
    expect(ids.every((id) => planFault({ ...plan, faultRate: 0 }, 'place_order', id, 0) === undefined)).toBe(
      true,
    );
  });
});
