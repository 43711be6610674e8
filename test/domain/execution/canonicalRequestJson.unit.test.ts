import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalRequestJson,
  placeOrderRequestOf,
  replayExecution,
  toExecutionProposal,
} from '../../../src/domain/execution';
import { HISTORY_TO, sampleEvent } from '../../support/executionFixtures';

describe('canonicalRequestJson', () => {
  it('sorts keys at every level, drops undefined and keeps arrays in order', () => {
    expect(canonicalRequestJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: 'x' }, e: undefined })).toBe(
      '{"a":{"c":"x","d":[2,{"z":1}]},"b":1}',
    );
  });

  it('is the same for the same body whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (body) => {
        const reversed = Object.fromEntries(Object.entries(body).reverse());
        expect(canonicalRequestJson(reversed)).toBe(canonicalRequestJson(body));
        expect(JSON.parse(canonicalRequestJson(body))).toEqual(JSON.parse(JSON.stringify(body)));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what JSON cannot carry and absurd nesting', () => {
    expect(() => canonicalRequestJson({ a: Number.NaN })).toThrow('non-finite');
    expect(() => canonicalRequestJson({ a: 1n })).toThrow('bigint');
    let deep: unknown = 1;
    for (let i = 0; i < 20; i += 1) deep = { deep };
    expect(() => canonicalRequestJson(deep)).toThrow('deeper');
  });
});

describe('placeOrderRequestOf', () => {
  it('sends what was proposed, with the same clientOrderId, and no empty fields', () => {
    const limit = replayExecution(HISTORY_TO.SUBMITTING ?? []);
    if (limit.status === 'NONE') throw new Error('expected an execution');
    expect(placeOrderRequestOf(limit)).toEqual({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'limit',
      clientOrderId: limit.clientOrderId,
      amount: '0.001',
      price: '20000',
    });
    const quote = replayExecution([
      sampleEvent('ExecutionSubmitting', {
        orderType: 'market',
        amount: null,
        amountQuote: '20',
        price: null,
      }),
    ]);
    if (quote.status === 'NONE') throw new Error('expected an execution');
    expect(placeOrderRequestOf(quote)).toEqual({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: quote.clientOrderId,
      amountQuote: '20',
    });
  });
});

describe('toExecutionProposal', () => {
  it('turns absent fields into explicit nulls', () => {
    expect(
      toExecutionProposal('5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b', 'user-1', {
        market: 'BTC-EUR',
        side: 'sell',
        orderType: 'market',
        amount: '0.5',
        expiresAt: '2025-01-01T12:01:00.000Z',
      }),
    ).toEqual({
      clientOrderId: '5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b',
      userId: 'user-1',
      market: 'BTC-EUR',
      side: 'sell',
      orderType: 'market',
      amount: '0.5',
      amountQuote: null,
      price: null,
      expiresAt: '2025-01-01T12:01:00.000Z',
    });
  });
});
