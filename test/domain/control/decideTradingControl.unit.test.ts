import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideTradingControl,
  DEFAULT_ALLOWED_MARKETS,
  evolveTradingControl,
  foldTradingControl,
  initialTradingControlState,
  isMarketAllowed,
  MAX_ALLOWED_MARKETS,
  parseTradingControlEvent,
  TRADING_CONTROL_STREAM_ID,
  type TradingControlCommand,
  type TradingControlError,
  type TradingControlEvent,
  type TradingControlState,
} from '../../../src/domain/control';
import { givenWhenThen } from '../../support/givenWhenThen';

const NOW = '2025-03-01T10:00:00.000Z';
const EARLIER = '2025-03-01T09:00:00.000Z';
const audit = (actor = 'ops-alice', reason = 'exchange incident', at = NOW) =>
  ({ schemaVersion: 1, actor, reason, at }) as const;

const engaged: TradingControlEvent = {
  type: 'KillSwitchEngaged',
  data: audit('ops-alice', 'exchange incident', EARLIER),
};
const released: TradingControlEvent = {
  type: 'KillSwitchReleased',
  data: audit('ops-bob', 'resolved', EARLIER),
};

const spec = givenWhenThen<
  TradingControlState,
  TradingControlCommand,
  TradingControlEvent,
  TradingControlError
>({
  initialState: initialTradingControlState,
  evolve: evolveTradingControl,
  decide: (command, state) => decideTradingControl(command, state, NOW),
});

describe('trading control: defaults', () => {
  it('without a stream: switch released, BTC-EUR and ETH-EUR allowed', () => {
    const state = initialTradingControlState();
    expect(TRADING_CONTROL_STREAM_ID).toBe('trading-control');
    expect(state).toMatchObject({
      killSwitch: { engaged: false },
      allowedMarkets: ['BTC-EUR', 'ETH-EUR'],
      revision: -1,
    });
    expect(DEFAULT_ALLOWED_MARKETS).toEqual(['BTC-EUR', 'ETH-EUR']);
    expect(isMarketAllowed(state, 'BTC-EUR')).toBe(true);
    expect(isMarketAllowed(state, 'SOL-EUR')).toBe(false);
  });
});

describe('trading control: kill switch', () => {
  it('engages with who and why', () => {
    const after = spec
      .given([])
      .when({ type: 'EngageKillSwitch', actor: 'ops-alice', reason: 'exchange incident' })
      .then([{ type: 'KillSwitchEngaged', data: audit() }]);
    expect(after.killSwitch).toEqual({
      engaged: true,
      changedBy: 'ops-alice',
      changedAt: NOW,
      reason: 'exchange incident',
    });
    expect(after.revision).toBe(0);
  });

  it('releases an engaged switch', () => {
    const after = spec
      .given([engaged])
      .when({ type: 'ReleaseKillSwitch', actor: 'ops-bob', reason: 'resolved' })
      .then([{ type: 'KillSwitchReleased', data: audit('ops-bob', 'resolved') }]);
    expect(after.killSwitch).toMatchObject({ engaged: false, changedBy: 'ops-bob' });
  });

  it('is idempotent: engaging an engaged switch or releasing a released one writes nothing and does not fail', () => {
    spec.given([engaged]).when({ type: 'EngageKillSwitch', actor: 'ops-bob', reason: 'again' }).thenNothing();
    spec
      .given([])
      .when({ type: 'ReleaseKillSwitch', actor: 'ops-bob', reason: 'nothing to release' })
      .thenNothing();
    spec
      .given([engaged, released])
      .when({ type: 'ReleaseKillSwitch', actor: 'ops-bob', reason: 'x' })
      .thenNothing();
  });

  it.each([
    ['', 'why', 'ACTOR_REQUIRED'],
    ['ops-alice', '', 'REASON_REQUIRED'],
    ['ops-alice', '   ', 'REASON_REQUIRED'],
  ] as const)(
    'refuses actor %j / reason %j with %s, even when it would change nothing',
    (actor, reason, code) => {
      spec.given([]).when({ type: 'EngageKillSwitch', actor, reason }).thenError(code);
      spec.given([]).when({ type: 'ReleaseKillSwitch', actor, reason }).thenError(code);
    },
  );

  it('refuses a time that is not UTC ISO-8601', () => {
    expect(
      decideTradingControl(
        { type: 'EngageKillSwitch', actor: 'a', reason: 'r' },
        initialTradingControlState(),
        'yesterday',
      ),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_TIMESTAMP', httpStatus: 400 } });
  });

  it('replay tolerates a duplicate engage and keeps who flipped it first', () => {
    const duplicate: TradingControlEvent = {
      type: 'KillSwitchEngaged',
      data: audit('ops-bob', 'me too', NOW),
    };
    const state = foldTradingControl([engaged, duplicate]);
    expect(state.killSwitch).toMatchObject({ engaged: true, changedBy: 'ops-alice', changedAt: EARLIER });
    expect(state.revision).toBe(1);
  });
});

describe('trading control: market allowlist', () => {
  it('replaces the allowlist, sorted and without duplicates, recording the previous one', () => {
    const after = spec
      .given([])
      .when({
        type: 'ChangeMarketAllowlist',
        allowed: ['SOL-EUR', 'BTC-EUR', 'SOL-EUR'],
        actor: 'ops-alice',
        reason: 'add SOL',
      })
      .then([
        {
          type: 'MarketAllowlistChanged',
          data: {
            ...audit('ops-alice', 'add SOL'),
            allowed: ['BTC-EUR', 'SOL-EUR'],
            previous: ['BTC-EUR', 'ETH-EUR'],
          },
        },
      ]);
    expect(after.allowedMarkets).toEqual(['BTC-EUR', 'SOL-EUR']);
    expect(isMarketAllowed(after, 'ETH-EUR')).toBe(false);
  });

  it('an empty allowlist allows nothing', () => {
    const after = spec
      .given([])
      .when({ type: 'ChangeMarketAllowlist', allowed: [], actor: 'ops-alice', reason: 'freeze' })
      .then([
        {
          type: 'MarketAllowlistChanged',
          data: { ...audit('ops-alice', 'freeze'), allowed: [], previous: ['BTC-EUR', 'ETH-EUR'] },
        },
      ]);
    expect(after.allowedMarkets).toEqual([]);
  });

  it('setting the same markets (in any order) writes nothing', () => {
    spec
      .given([])
      .when({
        type: 'ChangeMarketAllowlist',
        allowed: ['ETH-EUR', 'BTC-EUR'],
        actor: 'ops-alice',
        reason: 'same',
      })
      .thenNothing();
  });

  it.each([
    [['btc-eur'], 'INVALID_MARKET'],
    [['BTCEUR'], 'INVALID_MARKET'],
    [['BTC-EUR', ''], 'INVALID_MARKET'],
    [['BTC-USDC'], 'MARKET_NOT_EUR'],
    [Array.from({ length: MAX_ALLOWED_MARKETS + 1 }, (_, i) => `T${i}-EUR`), 'ALLOWLIST_TOO_LONG'],
  ] as const)('refuses %j with %s', (allowed, code) => {
    spec
      .given([])
      .when({ type: 'ChangeMarketAllowlist', allowed, actor: 'ops-alice', reason: 'r' })
      .thenError(code);
  });
});

describe('trading control events', () => {
  it('validate on read', () => {
    expect(parseTradingControlEvent(JSON.parse(JSON.stringify(engaged)) as TradingControlEvent)).toEqual(
      engaged,
    );
    expect(() =>
      parseTradingControlEvent({ type: 'KillSwitchEngaged', data: { ...engaged.data, reason: '' } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_EVENT_DATA' }));
    expect(() => parseTradingControlEvent({ type: 'KillSwitchFlipped', data: engaged.data })).toThrow(
      /KillSwitchFlipped/,
    );
  });

  it('property: after any command sequence, the switch is engaged iff the last effective switch command engaged it', () => {
    const commandArb: fc.Arbitrary<TradingControlCommand> = fc.oneof(
      fc.record({
        type: fc.constant('EngageKillSwitch' as const),
        actor: fc.constant('a'),
        reason: fc.constant('r'),
      }),
      fc.record({
        type: fc.constant('ReleaseKillSwitch' as const),
        actor: fc.constant('b'),
        reason: fc.constant('r'),
      }),
      fc.record({
        type: fc.constant('ChangeMarketAllowlist' as const),
        allowed: fc.subarray(['BTC-EUR', 'ETH-EUR', 'SOL-EUR', 'ADA-EUR']),
        actor: fc.constant('c'),
        reason: fc.constant('r'),
      }),
    );
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 30 }), (commands) => {
        let state = initialTradingControlState();
        const history: TradingControlEvent[] = [];
        let expectEngaged = false;
        for (const command of commands) {
          const decision = decideTradingControl(command, state, NOW);
          if (!decision.ok) throw decision.error;
          const events = decision.events;
          history.push(...events);
          state = events.reduce(evolveTradingControl, state);
          if (command.type === 'EngageKillSwitch') expectEngaged = true;
          if (command.type === 'ReleaseKillSwitch') expectEngaged = false;
          expect(state.killSwitch.engaged).toBe(expectEngaged);
          // No two consecutive switch events of the same kind are ever written.
          const switches = history.filter((e) => e.type !== 'MarketAllowlistChanged');
          for (let i = 1; i < switches.length; i += 1) {
            expect(switches[i]?.type).not.toBe(switches[i - 1]?.type);
          }
        }
        expect(foldTradingControl(history)).toEqual(state);
      }),
    );
  });
});
