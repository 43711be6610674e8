import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  evaluateGates,
  GATE_CODES,
  InvalidGateInput,
  type GateCode,
  type GateInput,
  type TradeProposal,
} from '../../../src/domain/gates';
import { gateEvidenceSchema } from '../../../src/domain/execution/proposalEvents';
import { policyEvents } from '../policy/userPolicyFixtures';
import {
  btcRules,
  enabledPolicy,
  EXPIRES_AT,
  marketBuy,
  openControl,
  passingInput,
  policyAt,
} from './gateFixtures';

const engagedControl = {
  ...openControl,
  killSwitch: { engaged: true, changedBy: 'ops', changedAt: EXPIRES_AT, reason: 'incident' },
};

/** One way to break each gate without touching any other gate. */
const BREAK: Record<GateCode, (input: GateInput) => GateInput> = {
  KILL_SWITCH: (input) => ({
    ...input,
    control: { ...input.control, killSwitch: engagedControl.killSwitch },
  }),
  USER_TRADING_DISABLED: (input) => ({ ...input, policy: { ...input.policy, tradingEnabled: false } }),
  MARKET_NOT_ALLOWED: (input) => ({ ...input, control: { ...input.control, allowedMarkets: ['ETH-EUR'] } }),
  PROPOSAL_EXPIRED: (input) => ({ ...input, nowMs: Date.parse(EXPIRES_AT) }),
  ORDER_LIMIT_EXCEEDED: (input) => ({
    ...input,
    policy: { ...input.policy, orderLimitOverrideEur: '10.00', effectiveLimitEur: '10.00' },
  }),
  INSUFFICIENT_BALANCE: (input) => ({ ...input, balances: { EUR: '15', BTC: '0.5' } }),
  MARKET_RULES: (input) => ({ ...input, marketRules: { ...btcRules, status: 'halted' } }),
};

function breakGates(codes: readonly GateCode[]): GateInput {
  return codes.reduce((input, code) => BREAK[code](input), passingInput());
}

describe('evaluateGates: passing', () => {
  it('returns the evidence the intent records', () => {
    const result = evaluateGates(passingInput());
    expect(result).toEqual({
      ok: true,
      evidence: {
        confidenceLevel: 'TRAINING',
        limitEur: '25.00',
        balanceSeen: '1000',
        balanceCurrency: 'EUR',
        priceSeen: '50000',
        notionalEur: '20',
      },
    });
    if (result.ok) expect(gateEvidenceSchema.parse(result.evidence)).toEqual(result.evidence);
  });
});

describe('evaluateGates: each gate refuses with its own code', () => {
  it.each(GATE_CODES.map((code) => [code]))('%s', (code) => {
    const result = evaluateGates(breakGates([code]));
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
  });

  it.each(GATE_CODES.map((code, index) => [code, GATE_CODES.slice(index)] as const))(
    'with %s and every later gate broken, %s wins',
    (code, broken) => {
      expect(evaluateGates(breakGates(broken))).toMatchObject({ ok: false, code });
    },
  );

  it('property: the first failing gate wins, whatever else fails', () => {
    fc.assert(
      fc.property(fc.subarray([...GATE_CODES], { minLength: 1 }), (broken) => {
        const first = GATE_CODES.find((code) => broken.includes(code));
        expect(evaluateGates(breakGates(broken))).toMatchObject({ ok: false, code: first });
      }),
    );
  });

  it('a non-EUR market is never allowed, even if listed', () => {
    const input = passingInput({
      proposal: { ...marketBuy('20'), market: 'BTC-USDC' },
      control: { ...openControl, allowedMarkets: ['BTC-USDC'] },
    });
    expect(evaluateGates(input)).toMatchObject({ ok: false, code: 'MARKET_NOT_ALLOWED' });
  });

  it('a proposal is expired at its expiry instant, valid one millisecond before', () => {
    const expiresAtMs = Date.parse(EXPIRES_AT);
    expect(evaluateGates(passingInput({ nowMs: expiresAtMs }))).toMatchObject({ code: 'PROPOSAL_EXPIRED' });
    expect(evaluateGates(passingInput({ nowMs: expiresAtMs - 1 })).ok).toBe(true);
  });

  it('the kill switch reason is in the refusal', () => {
    expect(evaluateGates(passingInput({ control: engagedControl }))).toMatchObject({
      reason: expect.stringContaining('incident'),
    });
  });
});

describe('evaluateGates: order limit boundaries', () => {
  const limitBuy = (amount: string, price: string): TradeProposal => ({
    market: 'BTC-EUR',
    side: 'buy',
    orderType: 'limit',
    amount,
    price,
    expiresAt: EXPIRES_AT,
  });

  it.each([
    ['amountQuote €25.00', marketBuy('25.00'), true],
    ['amountQuote €25.01', marketBuy('25.01'), false],
    [
      'market amount 0.0005 × ticker 50000 = €25',
      { ...marketBuy('1'), amountQuote: undefined, amount: '0.0005' },
      true,
    ],
    [
      'market amount 0.00050002 × 50000 = €25.001',
      { ...marketBuy('1'), amountQuote: undefined, amount: '0.00050002' },
      false,
    ],
    ['limit 0.001 × 25000 = €25', limitBuy('0.001', '25000'), true],
    ['limit 0.001 × 25001 = €25.001 (even with a low ticker)', limitBuy('0.001', '25001'), false],
  ] as const)('TRAINING: %s', (_name, proposal, passes) => {
    const result = evaluateGates(passingInput({ proposal }));
    if (passes) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, code: 'ORDER_LIMIT_EXCEEDED' });
  });

  it.each([
    ['VALIDATED', undefined, '100.00', '100.01'],
    ['PRODUCTION', undefined, '500.00', '500.01'],
    ['PRODUCTION', '50.00', '50.00', '50.01'],
    ['MATURE', '1000.00', '1000.00', '1000.01'],
  ] as const)('%s with override %s: €%s passes, €%s does not', (level, override, atLimit, above) => {
    const policy = policyAt(level, override);
    const balances = { EUR: '100000', BTC: '10' };
    const pass = evaluateGates(passingInput({ policy, balances, proposal: marketBuy(atLimit) }));
    expect(pass).toMatchObject({
      ok: true,
      evidence: { confidenceLevel: level, limitEur: override ?? atLimit },
    });
    const fail = evaluateGates(passingInput({ policy, balances, proposal: marketBuy(above) }));
    expect(fail).toMatchObject({ ok: false, code: 'ORDER_LIMIT_EXCEEDED' });
  });

  it('the reason names the limit applied', () => {
    expect(evaluateGates(passingInput({ proposal: marketBuy('25.01') }))).toMatchObject({
      reason: 'order of €25.01 exceeds the TRAINING limit of €25.00',
    });
    expect(
      evaluateGates(
        passingInput({ proposal: marketBuy('20'), policy: enabledPolicy([policyEvents.overrideSet('10')]) }),
      ),
    ).toMatchObject({
      reason: 'order of €20 exceeds the override limit of €10.00',
    });
  });

  it('MATURE without override is capped by the balance, and records no fixed limit', () => {
    const policy = policyAt('MATURE');
    const big = marketBuy('250000');
    expect(
      evaluateGates(passingInput({ policy, proposal: big, balances: { EUR: '249999.99' } })),
    ).toMatchObject({
      ok: false,
      code: 'ORDER_LIMIT_EXCEEDED',
      reason: expect.stringContaining('MATURE cap'),
    });
    expect(evaluateGates(passingInput({ policy, proposal: big, balances: { EUR: '250000' } }))).toMatchObject(
      {
        ok: true,
        evidence: { limitEur: null, notionalEur: '250000', balanceSeen: '250000' },
      },
    );
    const sell: TradeProposal = {
      market: 'BTC-EUR',
      side: 'sell',
      orderType: 'market',
      amount: '0.6',
      expiresAt: EXPIRES_AT,
    };
    expect(evaluateGates(passingInput({ policy, proposal: sell, balances: { BTC: '0.5' } }))).toMatchObject({
      code: 'ORDER_LIMIT_EXCEEDED',
    });
    expect(evaluateGates(passingInput({ policy, proposal: sell, balances: { BTC: '0.6' } })).ok).toBe(true);
  });

  it('property: at TRAINING, nothing above €25 ever passes and nothing up to €25 is refused for its size', () => {
    const centsArb = fc.integer({ min: 500, max: 5000 });
    fc.assert(
      fc.property(centsArb, (cents) => {
        const amountQuote = new Decimal(cents).div(100).toFixed(2);
        const result = evaluateGates(passingInput({ proposal: marketBuy(amountQuote) }));
        expect(result.ok).toBe(cents <= 2500);
      }),
    );
  });
});

describe('evaluateGates: balance', () => {
  it.each([
    ['buy €20 with €20 available', marketBuy('20'), { EUR: '20' }, true],
    ['buy €20 with €19.99 available', marketBuy('20'), { EUR: '19.99' }, false],
    ['buy with no EUR balance at all', marketBuy('20'), { BTC: '1' }, false],
    [
      'sell 0.0004 BTC with 0.0004',
      { market: 'BTC-EUR', side: 'sell', orderType: 'market', amount: '0.0004', expiresAt: EXPIRES_AT },
      { BTC: '0.0004' },
      true,
    ],
    [
      'sell 0.0004 BTC with 0.00039999',
      { market: 'BTC-EUR', side: 'sell', orderType: 'market', amount: '0.0004', expiresAt: EXPIRES_AT },
      { BTC: '0.00039999', EUR: '1000' },
      false,
    ],
    [
      'sell €20 of BTC (0.0004 at the ticker) with 0.0004',
      { market: 'BTC-EUR', side: 'sell', orderType: 'market', amountQuote: '20', expiresAt: EXPIRES_AT },
      { BTC: '0.0004' },
      true,
    ],
    [
      'sell €20 of BTC with 0.0003',
      { market: 'BTC-EUR', side: 'sell', orderType: 'market', amountQuote: '20', expiresAt: EXPIRES_AT },
      { BTC: '0.0003' },
      false,
    ],
  ] as const)('%s', (_name, proposal, balances, passes) => {
    const result = evaluateGates(passingInput({ proposal, balances }));
    if (passes) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, code: 'INSUFFICIENT_BALANCE' });
  });

  it('a sell records the base balance it saw', () => {
    const proposal: TradeProposal = {
      market: 'BTC-EUR',
      side: 'sell',
      orderType: 'market',
      amount: '0.0004',
      expiresAt: EXPIRES_AT,
    };
    expect(evaluateGates(passingInput({ proposal, balances: { BTC: '0.50000000' } }))).toMatchObject({
      evidence: { balanceSeen: '0.5', balanceCurrency: 'BTC', notionalEur: '20' },
    });
  });
});

describe('evaluateGates: kill switch property and input errors', () => {
  it('property: with the kill switch engaged nothing ever passes', () => {
    const proposalArb: fc.Arbitrary<TradeProposal> = fc.record({
      market: fc.constantFrom('BTC-EUR', 'ETH-EUR', 'SOL-EUR'),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      orderType: fc.constant('market' as const),
      amountQuote: fc.integer({ min: 1, max: 1_000_000 }).map(String),
      expiresAt: fc.constant(EXPIRES_AT),
    });
    fc.assert(
      fc.property(
        proposalArb,
        fc.constantFrom('TRAINING', 'VALIDATED', 'PRODUCTION', 'MATURE' as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 10_000_000 }),
        (proposal, level, enabled, balance) => {
          const policy = { ...policyAt(level), tradingEnabled: enabled };
          const input = passingInput({
            proposal,
            policy,
            control: engagedControl,
            balances: { EUR: String(balance), BTC: String(balance), ETH: String(balance) },
          });
          expect(evaluateGates(input)).toMatchObject({ ok: false, code: 'KILL_SWITCH' });
        },
      ),
    );
  });

  it('throws InvalidGateInput for an unvalidated proposal or a malformed ticker/balance', () => {
    expect(() => evaluateGates(passingInput({ proposal: { ...marketBuy('20'), amount: '1' } }))).toThrow(
      InvalidGateInput,
    );
    expect(() => evaluateGates(passingInput({ price: '0' }))).toThrow(InvalidGateInput);
    expect(() => evaluateGates(passingInput({ price: '5e4' }))).toThrow(InvalidGateInput);
    expect(() => evaluateGates(passingInput({ balances: { EUR: '-1' } }))).toThrow(InvalidGateInput);
    expect(() => evaluateGates(passingInput({ nowMs: Number.NaN }))).toThrow(InvalidGateInput);
  });

  it('keeps huge notionals within the evidence format, rounding up', () => {
    const proposal: TradeProposal = {
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'limit',
      amount: '1.123456789012345678901234567',
      price: '30.123456789012345678901',
      expiresAt: EXPIRES_AT,
    };
    const result = evaluateGates(
      passingInput({
        proposal,
        policy: policyAt('MATURE'),
        marketRules: { ...btcRules, quantityDecimals: 30, pricePrecision: 0, tickSize: '0' },
      }),
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.evidence.notionalEur.length).toBeLessThanOrEqual(32);
      expect(
        new Decimal(result.evidence.notionalEur).gte(
          new Decimal(proposal.amount ?? '').mul(proposal.price ?? ''),
        ),
      ).toBe(true);
      expect(gateEvidenceSchema.parse(result.evidence)).toEqual(result.evidence);
    }
  });
});
