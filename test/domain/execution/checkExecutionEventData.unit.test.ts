import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXECUTION_EVENT_SCHEMAS,
  executionEventDataProblem,
  fastExecutionEvent,
  fromRecordedEvent,
  InvalidExecutionEvent,
  type ExecutionEvent,
} from '../../../src/domain/execution';
import { executionEventParser } from '../../../src/projections/executions/executionEventParser';
import { executionHistoryArb } from '../../support/arbitraries/executionHistory';

/** Values that break some field or other: wrong types, edges of lengths and patterns. */
const ODD_VALUES: readonly unknown[] = [
  null,
  undefined,
  '',
  ' ',
  'x',
  '0',
  '0.0',
  '00',
  '-1',
  '1e3',
  '1.',
  '.5',
  '12.50',
  '2025-03-01T00:00:00Z',
  '2025-03-01T00:00:00.000+01:00',
  '2025-02-30T00:00:00.000Z',
  'BTC-EUR',
  'btc-eur',
  'EUR',
  'buy',
  'limit',
  'found',
  'HARD',
  'UNKNOWN',
  'a'.repeat(101),
  'a'.repeat(2001),
  '0'.repeat(64),
  'f'.repeat(64),
  '00000000-0000-0000-0000-000000000000',
  0,
  1,
  2,
  -1,
  1.5,
  99,
  100,
  599,
  600,
  1_000_001,
  Number.NaN,
  true,
  false,
  [],
  {},
  { confidenceLevel: 'TRAINING' },
];

type Mutation =
  | { readonly kind: 'set'; readonly key: number; readonly value: number }
  | { readonly kind: 'delete'; readonly key: number }
  | { readonly kind: 'add'; readonly name: string }
  | { readonly kind: 'nested'; readonly key: number; readonly value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: fc.nat(), value: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom('extra', '__proto__', 'type') }),
  fc.record({ kind: fc.constant('nested' as const), key: fc.nat(), value: fc.nat() }),
);

function mutate(data: Record<string, unknown>, mutation: Mutation): Record<string, unknown> {
  // A JSON round trip: the shape events have when read back from the store.
  const copy = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  const keys = Object.keys(copy);
  const key = keys[('key' in mutation ? mutation.key : 0) % keys.length]!;
  const value = ODD_VALUES[('value' in mutation ? mutation.value : 0) % ODD_VALUES.length];
  switch (mutation.kind) {
    case 'set':
      copy[key] = value;
      return copy;
    case 'delete':
      delete copy[key];
      return copy;
    case 'add':
      return JSON.parse(JSON.stringify(copy).replace(/^\{/, `{"${mutation.name}":1,`)) as Record<
        string,
        unknown
      >;
    case 'nested': {
      const evidence = copy['gateEvidence'];
      if (typeof evidence !== 'object' || evidence === null) {
        copy[key] = value;
        return copy;
      }
      const inner = evidence as Record<string, unknown>;
      const innerKeys = Object.keys(inner);
      inner[innerKeys[mutation.key % innerKeys.length]!] = value;
      return copy;
    }
  }
}

function zodAccepts(event: ExecutionEvent, data: unknown): boolean {
  return EXECUTION_EVENT_SCHEMAS[event.type].safeParse(data).success;
}

describe('executionEventDataProblem (the hand-written twin of the zod schemas)', () => {
  it('accepts every event of generated histories, giving the same event as zod', () => {
    fc.assert(
      fc.property(executionHistoryArb(), (history) => {
        for (const event of history.events) {
          const stored = JSON.parse(JSON.stringify(event.data)) as unknown;
          expect(executionEventDataProblem(event.type, stored)).toBeNull();
          expect(fastExecutionEvent(event.type, stored)).toEqual(
            fromRecordedEvent({ type: event.type, data: stored as Record<string, unknown> }),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with zod on mutated events: one refuses exactly what the other refuses', () => {
    let refused = 0;
    fc.assert(
      fc.property(executionHistoryArb(), fc.nat(), mutationArb, (history, pick, mutation) => {
        const event = history.events[pick % history.events.length]!;
        const data = mutate(event.data as unknown as Record<string, unknown>, mutation);
        const zod = zodAccepts(event, data);
        if (!zod) refused++;
        expect(executionEventDataProblem(event.type, data) === null).toBe(zod);
      }),
      { numRuns: 3_000 },
    );
    // The mutations must really exercise refusals, or the agreement says nothing.
    expect(refused).toBeGreaterThan(1_000);
  });

  it('refuses a malformed event through zod, with zod`s message', () => {
    const submitted = {
      schemaVersion: 1,
      exchangeOrderId: '',
      exchangeStatus: 'new',
      via: 'response',
      at: 'x',
    };
    expect(executionEventDataProblem('Submitted', submitted)).not.toBeNull();
    expect(() => fastExecutionEvent('Submitted', submitted)).toThrow(InvalidExecutionEvent);
    expect(() => fastExecutionEvent('Submitted', submitted)).toThrow(/exchangeOrderId/);
    expect(() => fastExecutionEvent('NoSuchEvent', {})).toThrow(InvalidExecutionEvent);
    expect(() => fastExecutionEvent('Submitted', { ...submitted, schemaVersion: 2 })).toThrow(/newer/);
  });

  it('checks the cross-field rules: order shape and the reconcile order id', () => {
    const found = {
      schemaVersion: 1,
      attempt: 1,
      method: 'get_order',
      result: 'found',
      exchangeOrderId: null,
      httpStatus: 200,
      errorCode: null,
      message: null,
      windowElapsed: false,
      at: '2025-03-01T00:00:00.000Z',
    };
    expect(executionEventDataProblem('ReconcileAttempted', found)).not.toBeNull();
    expect(executionEventDataProblem('ReconcileAttempted', { ...found, exchangeOrderId: 'o-1' })).toBeNull();
  });
});

describe('executionEventParser', () => {
  it('refuses a malformed event after the zod-checked first ones, too', () => {
    const parse = executionEventParser();
    const valid = {
      schemaVersion: 1,
      filledAmount: '1',
      filledAmountQuote: '2',
      feePaid: '0',
      at: '2025-03-01T00:00:00.000Z',
    };
    for (let index = 0; index < 500; index++)
      expect(parse({ type: 'Filled', data: valid }).type).toBe('Filled');
    expect(() => parse({ type: 'Filled', data: { ...valid, feePaid: '-1' } })).toThrow(InvalidExecutionEvent);
    expect(() => parse({ type: 'Filled', data: { ...valid, extra: 1 } })).toThrow(InvalidExecutionEvent);
  });
});
