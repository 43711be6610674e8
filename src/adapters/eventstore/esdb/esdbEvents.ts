import { randomUUID } from 'node:crypto';
import type { EventData, ResolvedEvent, Position } from '@eventstore/db-client';
import type { EventToAppend, GlobalPosition, RecordedEvent } from '../../../domain/ports/eventStore';

/** The ledger's streams (DESIGN §2). Reads and subscriptions of `$all` see nothing else by default. */
export const LEDGER_STREAM_PREFIXES: readonly string[] = ['execution-', 'user-policy-', 'trading-control'];

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** EventStoreDB reports "no position" as the largest unsigned 64-bit number. */
const NO_POSITION = 2n ** 64n - 1n;
/** Servers before 22.6 give no positions on stream reads; the port's "before everything" stands in. */
const UNKNOWN_POSITION: GlobalPosition = { commit: -1n, prepare: -1n };

/**
 * Ids are fixed before the first attempt, so a retry after a lost answer sends the very same ids and
 * EventStoreDB recognises the append as already done instead of writing it twice.
 */
export function toEventData(events: readonly EventToAppend[]): EventData[] {
  return events.map((event) => {
    const id = event.id ?? randomUUID();
    if (!UUID_PATTERN.test(id)) throw new Error(`event id ${id} is not a UUID`);
    return {
      id,
      contentType: 'application/json',
      type: event.type,
      data: event.data,
      metadata: event.metadata ?? {},
    };
  });
}

export function toPosition(position: Position | undefined): GlobalPosition {
  if (!position || position.commit >= NO_POSITION || position.prepare >= NO_POSITION) return UNKNOWN_POSITION;
  return { commit: position.commit, prepare: position.prepare };
}

/** The client's start marker for "strictly after `position`"; undefined or a negative position means the start. */
export function hasRealPosition(position: GlobalPosition | undefined): position is GlobalPosition {
  return position !== undefined && position.commit >= 0n && position.prepare >= 0n;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** System streams (`$...`, including `$$` metadata streams) and system event types never reach the ledger. */
export function isSystemEvent(resolved: ResolvedEvent): boolean {
  const event = resolved.event;
  return !event || event.streamId.startsWith('$') || event.type.startsWith('$');
}

export function matchesPrefixes(streamId: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => streamId.startsWith(prefix));
}

/** Ledger events are JSON objects; anything else in a ledger stream is a corruption worth failing loudly on. */
export function toRecordedEvent(resolved: ResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (!event) throw new Error('EventStoreDB returned a link without its event (links are not resolved here)');
  if (!event.isJson || !isPlainObject(event.data)) {
    throw new Error(`event ${event.id} in stream ${event.streamId} is not a JSON object`);
  }
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: toPosition(event.position),
    type: event.type,
    data: event.data,
    metadata: isPlainObject(event.metadata) ? event.metadata : {},
    createdAt: event.created,
  };
}
