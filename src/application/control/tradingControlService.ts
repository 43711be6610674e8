import {
  decideTradingControl,
  evolveTradingControl,
  initialTradingControlState,
  parseTradingControlEvent,
  TRADING_CONTROL_STREAM_ID,
  type TradingControlCommand,
  type TradingControlState,
} from '../../domain/control';
import { WrongExpectedVersion, type EventStore } from '../../domain/ports/eventStore';
import type { Clock } from '../../domain/ports/clock';
import { ConcurrentModification, orUnavailable } from '../errors';
import { expectedAfter, FoldedStream } from '../streams/foldedStream';

/** A few operators pressing at once; beyond this something is wrong. */
const MAX_COMMAND_ATTEMPTS = 5;

export interface ControlChange {
  readonly state: TradingControlState;
  /** False when the command's outcome already held (nothing appended). */
  readonly changed: boolean;
}

/**
 * The `trading-control` stream: kill switch and market allowlist. `read()` always reaches the latest
 * event (the kill switch must stop the very next request), folding only what is new.
 */
export class TradingControlService {
  /** The folded stream; for callers that read it together with other streams. */
  readonly stream: FoldedStream<TradingControlState>;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {
    this.stream = new FoldedStream(
      store,
      TRADING_CONTROL_STREAM_ID,
      initialTradingControlState,
      (state, event) => evolveTradingControl(state, parseTradingControlEvent(event)),
    );
  }

  async read(): Promise<TradingControlState> {
    return (await this.stream.current()).state;
  }

  /** Decides and appends with the stream's expected revision; a concurrent change is re-read and re-decided. */
  async execute(command: TradingControlCommand): Promise<ControlChange> {
    for (let attempt = 1; attempt <= MAX_COMMAND_ATTEMPTS; attempt++) {
      const { state, revision } = await this.stream.current();
      const decision = decideTradingControl(command, state, new Date(this.clock.nowMs()).toISOString());
      if (!decision.ok) throw decision.error;
      if (decision.events.length === 0) return { state, changed: false };
      try {
        await orUnavailable(() =>
          this.store.appendToStream(
            TRADING_CONTROL_STREAM_ID,
            decision.events.map((event) => ({ type: event.type, data: event.data })),
            { expectedRevision: expectedAfter(revision) },
          ),
        );
      } catch (error) {
        if (error instanceof WrongExpectedVersion) continue;
        throw error;
      }
      return { state: (await this.stream.current()).state, changed: true };
    }
    throw new ConcurrentModification('trading-control kept changing under this command; try again');
  }
}
