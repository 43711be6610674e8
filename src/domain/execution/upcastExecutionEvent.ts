import type { EventToAppend, RecordedEvent } from '../ports/eventStore';
import { InvalidExecutionEvent } from './executionErrors';
import {
  EXECUTION_EVENT_SCHEMAS,
  isExecutionEventType,
  type ExecutionEvent,
  type ExecutionEventType,
} from './executionEvents';

export const CURRENT_EXECUTION_SCHEMA_VERSION = 1;

/** Turns the data of version `v` into version `v + 1`. */
export type EventDataUpcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/** `upcasters[v]` lifts version v to v + 1; a chain must reach the current version without gaps. */
export type UpcasterChain = Readonly<Record<number, EventDataUpcaster>>;

/**
 * Every execution event is at version 1 today, so the chains are empty. When a schema changes, its
 * version is bumped, the old shape's upcaster goes here, and old events keep reading as the new shape.
 */
export const EXECUTION_UPCASTERS: Readonly<Partial<Record<ExecutionEventType, UpcasterChain>>> = {};

/** Lifts `data` step by step to `currentVersion`. Bounded by the version gap; throws on a gap or a future version. */
export function upcastEventData(
  type: string,
  data: unknown,
  chain: UpcasterChain,
  currentVersion: number,
): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidExecutionEvent(type, 'data is not an object');
  }
  let current = data as Record<string, unknown>;
  const version = current['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new InvalidExecutionEvent(type, 'schemaVersion is missing or not a positive integer');
  }
  if (version > currentVersion) {
    throw new InvalidExecutionEvent(
      type,
      `schemaVersion ${version} is newer than this code (${currentVersion})`,
    );
  }
  for (let step = version; step < currentVersion; step += 1) {
    const upcaster = chain[step];
    if (upcaster === undefined) throw new InvalidExecutionEvent(type, `no upcaster from version ${step}`);
    current = { ...upcaster(current), schemaVersion: step + 1 };
  }
  return current;
}

function validate(type: ExecutionEventType, data: unknown): ExecutionEvent {
  const parsed = EXECUTION_EVENT_SCHEMAS[type].safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new InvalidExecutionEvent(type, issues.join('; '));
  }
  return { type, data: parsed.data } as ExecutionEvent;
}

/**
 * The read path: any stored version of an execution event → the current shape, validated.
 * Throws InvalidExecutionEvent (code INVALID_EVENT) for an unknown type or invalid data.
 */
export function upcastExecutionEvent(type: string, data: unknown): ExecutionEvent {
  if (!isExecutionEventType(type)) throw new InvalidExecutionEvent(type, 'unknown execution event type');
  const lifted = upcastEventData(
    type,
    data,
    EXECUTION_UPCASTERS[type] ?? {},
    CURRENT_EXECUTION_SCHEMA_VERSION,
  );
  return validate(type, lifted);
}

/** The write path: validates the event against its current schema before it may be appended. */
export function validateExecutionEvent(event: ExecutionEvent): ExecutionEvent {
  return validate(event.type, event.data);
}

/** Validates and shapes an event for `EventStore.appendToStream`. */
export function toEventToAppend(event: ExecutionEvent, id?: string): EventToAppend {
  const valid = validateExecutionEvent(event);
  const data = valid.data as unknown as Record<string, unknown>;
  return id === undefined ? { type: valid.type, data } : { id, type: valid.type, data };
}

export function fromRecordedEvent(recorded: Pick<RecordedEvent, 'type' | 'data'>): ExecutionEvent {
  return upcastExecutionEvent(recorded.type, recorded.data);
}
