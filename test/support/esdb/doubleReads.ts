import { randomUUID } from 'node:crypto';
import { grpc, streamsPb, type Grpc, type StreamsPb } from './clientProtocol';
import { comparePosition, type DoubleLog, type StoredEvent } from './doubleLog';
import { checkpointResp, readEventResp, streamIdentifier, streamName } from './doubleMessages';

type ReadCall = Grpc.ServerWritableStream<StreamsPb.ReadReq, StreamsPb.ReadResp>;
type Options = StreamsPb.ReadReq.Options;

/** A live `$all` subscription the test can cut, as a node restart or a network failure would. */
export interface LiveSubscription {
  drop(code: number, details: string): void;
}

const DEFAULT_SEARCH_WINDOW = 32;

/** Writes one message; when the client is slow, waits for it (or for the call to end). */
async function send(
  call: ReadCall,
  message: StreamsPb.ReadResp,
  ended: Promise<void>,
  isActive: () => boolean,
): Promise<void> {
  if (!isActive()) return;
  if (call.write(message)) return;
  let release: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => {
    release = resolve;
    call.once('drain', resolve);
  });
  await Promise.race([drained, ended]);
  call.off('drain', release);
}

function statusError(code: number, details: string): Error {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

function eventFilter(options: Options): ((event: StoredEvent) => boolean) | undefined {
  if (options.getFilterOptionCase() !== streamsPb.ReadReq.Options.FilterOptionCase.FILTER) return undefined;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  const prefixes = expression.getPrefixList();
  return (event) => {
    const value = onStream ? event.streamId : event.type;
    return regex ? regex.test(value) : prefixes.some((prefix) => value.startsWith(prefix));
  };
}

function startIndex(log: DoubleLog, all: StreamsPb.ReadReq.Options.AllOptions, exclusive: boolean): number {
  if (all.hasEnd()) return log.events.length;
  const position = all.getPosition();
  if (!position) return 0;
  const at = { commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) };
  const index = log.indexAtOrAfter(at);
  const event = log.events[index];
  return exclusive && event && comparePosition(event, at) === 0 ? index + 1 : index;
}

export class DoubleReads {
  readonly live = new Set<LiveSubscription>();

  constructor(private readonly log: DoubleLog) {}

  async read(call: ReadCall): Promise<void> {
    const options = call.request.getOptions();
    if (!options) {
      call.emit('error', statusError(grpc.status.INVALID_ARGUMENT, 'missing options'));
      return;
    }
    let active = true;
    const ended = new Promise<void>((resolve) => {
      const end = () => {
        active = false;
        resolve();
      };
      call.once('cancelled', end);
      call.once('close', end);
      call.once('error', end);
    });
    const isActive = () => active;
    const uuidAsString = options.getUuidOption()?.hasString() ?? false;
    const write = (message: StreamsPb.ReadResp) => send(call, message, ended, isActive);
    const subscription =
      options.getCountOptionCase() === streamsPb.ReadReq.Options.CountOptionCase.SUBSCRIPTION;
    if (options.hasStream()) {
      if (subscription)
        call.emit(
          'error',
          statusError(grpc.status.UNIMPLEMENTED, 'stream subscriptions are not part of the double'),
        );
      else await this.readStream(options, write, uuidAsString);
    } else if (subscription) {
      await this.subscribeToAll(call, options, write, ended, isActive, uuidAsString);
      return;
    } else {
      await this.readAll(options, write, isActive, uuidAsString);
    }
    if (active) call.end();
  }

  private async readStream(
    options: Options,
    write: (message: StreamsPb.ReadResp) => Promise<void>,
    uuidAsString: boolean,
  ) {
    const streamOptions = options.getStream()!;
    const name = streamName(streamOptions.getStreamIdentifier());
    const stream = this.log.stream(name);
    if (!stream) {
      const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name));
      await write(new streamsPb.ReadResp().setStreamNotFound(notFound));
      return;
    }
    const count = Number(BigInt.asUintN(53, BigInt(options.getCount() || '0')));
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const events = [...stream];
    const last = events.length - 1;
    let selected: StoredEvent[];
    if (backwards) {
      const from = streamOptions.hasEnd()
        ? last
        : streamOptions.hasStart()
          ? 0
          : Math.min(Number(streamOptions.getRevision()), last);
      selected = events.slice(Math.max(0, from - count + 1), from + 1).reverse();
    } else {
      const from = streamOptions.hasEnd()
        ? events.length
        : streamOptions.hasStart()
          ? 0
          : Number(streamOptions.getRevision());
      selected = events.slice(from, from + count);
    }
    for (const event of selected) await write(readEventResp(event, uuidAsString));
  }

  private async readAll(
    options: Options,
    write: (message: StreamsPb.ReadResp) => Promise<void>,
    isActive: () => boolean,
    uuidAsString: boolean,
  ) {
    const count = Number(BigInt.asUintN(53, BigInt(options.getCount() || '0')));
    const matches = eventFilter(options) ?? (() => true);
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const all = options.getAll()!;
    const events = [...this.log.events];
    let sent = 0;
    if (backwards) {
      // Backwards from a position: the events before it.
      const from = all.hasEnd() || !all.hasPosition() ? events.length : startIndex(this.log, all, false);
      for (let index = from - 1; index >= 0 && sent < count && isActive(); index--) {
        if (matches(events[index]!)) {
          await write(readEventResp(events[index]!, uuidAsString));
          sent += 1;
        }
      }
      return;
    }
    // Forwards from a position: that event first, as the server does.
    for (
      let index = startIndex(this.log, all, false);
      index < events.length && sent < count && isActive();
      index++
    ) {
      if (matches(events[index]!)) {
        await write(readEventResp(events[index]!, uuidAsString));
        sent += 1;
      }
    }
  }

  /** Confirmation, catch-up, CaughtUp, then live; checkpoints every search window when filtered. */
  private async subscribeToAll(
    call: ReadCall,
    options: Options,
    write: (message: StreamsPb.ReadResp) => Promise<void>,
    ended: Promise<void>,
    isActive: () => boolean,
    uuidAsString: boolean,
  ): Promise<void> {
    const filter = eventFilter(options);
    const matches = filter ?? (() => true);
    const filterOptions = options.getFilter();
    const window = filterOptions?.hasMax() ? filterOptions.getMax() : DEFAULT_SEARCH_WINDOW;
    const checkpointInterval = Math.max(
      1,
      window * Math.max(1, filterOptions?.getCheckpointintervalmultiplier() ?? 1),
    );
    let wake: (() => void) | undefined;
    const stopAppend = this.log.onAppend(() => wake?.());
    const live: LiveSubscription = {
      drop: (code, details) => {
        if (!isActive()) return;
        call.emit('error', statusError(code, details));
        wake?.();
      },
    };
    this.live.add(live);
    try {
      await write(
        new streamsPb.ReadResp().setConfirmation(
          new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()),
        ),
      );
      let index = startIndex(this.log, options.getAll()!, true);
      let considered = 0;
      let caughtUp = false;
      // Ends when the client cancels, the test drops it or the server closes.
      while (isActive()) {
        while (index < this.log.events.length && isActive()) {
          const event = this.log.events[index++]!;
          if (matches(event)) await write(readEventResp(event, uuidAsString));
          if (filter && ++considered >= checkpointInterval) {
            considered = 0;
            await write(checkpointResp(event));
          }
        }
        if (!caughtUp) {
          caughtUp = true;
          await write(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
        }
        if (index >= this.log.events.length && isActive()) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), ended]);
          wake = undefined;
        }
      }
    } finally {
      stopAppend();
      this.live.delete(live);
    }
  }
}
