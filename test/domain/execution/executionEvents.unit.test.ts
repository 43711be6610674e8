import { describe, expect, it } from 'vitest';
import {
  CURRENT_EXECUTION_SCHEMA_VERSION,
  EXECUTION_EVENT_TYPES,
  executionStreamName,
  fromRecordedEvent,
  InvalidExecutionEvent,
  parseExecutionStreamName,
  toEventToAppend,
  upcastEventData,
  upcastExecutionEvent,
  validateExecutionEvent,
} from '../../../src/domain/execution';
import { CLIENT_ORDER_ID, sampleEvent } from '../../support/executionFixtures';

function invalid(run: () => unknown): InvalidExecutionEvent {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidExecutionEvent);
    return error as InvalidExecutionEvent;
  }
  throw new Error('expected InvalidExecutionEvent');
}

describe('execution event schemas', () => {
  it.each(EXECUTION_EVENT_TYPES)('%s: a valid sample round-trips through write and read', (type) => {
    const event = sampleEvent(type);
    const stored = toEventToAppend(event);
    expect(stored.type).toBe(type);
    const read = fromRecordedEvent({ type: stored.type, data: JSON.parse(JSON.stringify(stored.data)) });
    expect(read).toEqual(event);
  });

  it('every event carries schemaVersion 1', () => {
    expect(CURRENT_EXECUTION_SCHEMA_VERSION).toBe(1);
    for (const type of EXECUTION_EVENT_TYPES) expect(sampleEvent(type).data.schemaVersion).toBe(1);
  });

  it.each(['1.5e3', '-1', '01', '1.', '.5', '1,5', ' 1', 'NaN'])('rejects the decimal %j', (amount) => {
    const error = invalid(() => validateExecutionEvent(sampleEvent('FillRecorded', { amount })));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.message).toContain('amount');
  });

  it('rejects a clientOrderId that is not a UUID (Bitvavo error 205)', () => {
    invalid(() => validateExecutionEvent(sampleEvent('ExecutionSubmitting', { clientOrderId: 'order-42' })));
  });

  it('rejects order shapes Bitvavo does not take when the order is let through', () => {
    invalid(() => validateExecutionEvent(sampleEvent('ExecutionSubmitting', { price: null })));
    invalid(() => validateExecutionEvent(sampleEvent('ExecutionSubmitting', { orderType: 'market' })));
    invalid(() =>
      validateExecutionEvent(
        sampleEvent('ExecutionSubmitting', { orderType: 'market', price: null, amountQuote: '10' }),
      ),
    );
    // a refusal is recorded whatever the shape
    expect(() =>
      validateExecutionEvent(sampleEvent('ExecutionRejected', { rejectCode: 'MARKET_RULES', price: null })),
    ).not.toThrow();
  });

  it('rejects an unknown reject code, a non-HARD failure and a non-ISO time', () => {
    invalid(() => validateExecutionEvent(sampleEvent('ExecutionRejected', { rejectCode: 'NOPE' as never })));
    invalid(() =>
      validateExecutionEvent(sampleEvent('SubmissionFailed', { errorClass: 'UNKNOWN' as never })),
    );
    invalid(() => validateExecutionEvent(sampleEvent('Submitted', { at: '2025-01-01 12:00' })));
  });

  it('ReconcileAttempted carries an order id exactly when found', () => {
    invalid(() => validateExecutionEvent(sampleEvent('ReconcileAttempted', { result: 'found' })));
    invalid(() => validateExecutionEvent(sampleEvent('ReconcileAttempted', { exchangeOrderId: 'order-1' })));
    expect(() =>
      validateExecutionEvent(
        sampleEvent('ReconcileAttempted', { result: 'found', exchangeOrderId: 'order-1' }),
      ),
    ).not.toThrow();
  });

  it('rejects unknown fields on write (strict objects)', () => {
    invalid(() => validateExecutionEvent(sampleEvent('Filled', { extra: 1 } as never)));
  });
});

describe('upcastExecutionEvent (the read path)', () => {
  it('refuses an unknown type, a missing or future version, and data that is not an object', () => {
    expect(invalid(() => upcastExecutionEvent('OrderTeleported', {})).message).toContain(
      'unknown execution event type',
    );
    const { schemaVersion: _drop, ...unversioned } = sampleEvent('Filled').data;
    expect(invalid(() => upcastExecutionEvent('Filled', unversioned)).message).toContain('schemaVersion');
    expect(
      invalid(() => upcastExecutionEvent('Filled', { ...unversioned, schemaVersion: 2 })).message,
    ).toContain('newer');
    invalid(() => upcastExecutionEvent('Filled', null));
    invalid(() => upcastExecutionEvent('Filled', [1]));
  });

  it('validates on read too', () => {
    invalid(() => upcastExecutionEvent('Filled', { ...sampleEvent('Filled').data, filledAmount: '1e3' }));
  });

  it('lifts old versions step by step through an upcaster chain', () => {
    const chain = {
      1: (data: Readonly<Record<string, unknown>>) => ({ ...data, renamed: data['old'] }),
      2: (data: Readonly<Record<string, unknown>>) => {
        const { old: _old, ...rest } = data;
        return rest;
      },
    };
    expect(upcastEventData('X', { schemaVersion: 1, old: 'v' }, chain, 3)).toEqual({
      schemaVersion: 3,
      renamed: 'v',
    });
    expect(upcastEventData('X', { schemaVersion: 2, old: 'v' }, chain, 3)).toEqual({ schemaVersion: 3 });
    expect(() => upcastEventData('X', { schemaVersion: 1 }, { 2: chain[2] }, 3)).toThrow(
      'no upcaster from version 1',
    );
  });
});

describe('executionStreamName', () => {
  it('is execution-<clientOrderId> and parses back', () => {
    expect(executionStreamName(CLIENT_ORDER_ID)).toBe(`execution-${CLIENT_ORDER_ID}`);
    expect(parseExecutionStreamName(executionStreamName(CLIENT_ORDER_ID))).toBe(CLIENT_ORDER_ID);
  });

  it('parses nothing else', () => {
    expect(parseExecutionStreamName(`user-policy-${CLIENT_ORDER_ID}`)).toBeNull();
    expect(parseExecutionStreamName('execution-not-a-uuid')).toBeNull();
    expect(parseExecutionStreamName('execution-')).toBeNull();
  });
});
