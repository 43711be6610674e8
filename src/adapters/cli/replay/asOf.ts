import { InvalidArgumentError } from 'commander';
import type { RecordedEvent } from '../../../domain/ports/eventStore';
import { parseIsoTimeMs } from '../cliOptions';

/**
 * "As of" a moment: what the ledger had RECORDED by then (the store's time of each event, not the
 * time the event reports), or everything up to a global position (the `prepare` part that humans see
 * as "the position"; within one stream it grows with the revision on either store).
 */
export type AsOf =
  { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'position'; readonly position: bigint };

/** Digits only: a global position. Otherwise an ISO 8601 time. */
export function parseAsOf(value: string): AsOf {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return { kind: 'position', position: BigInt(trimmed) };
  const ms = parseIsoTimeMs(trimmed);
  if (ms !== undefined) return { kind: 'time', ms };
  throw new InvalidArgumentError('must be an ISO 8601 time or a global position (digits)');
}

export function recordedBy(event: RecordedEvent, asOf: AsOf | undefined): boolean {
  if (asOf === undefined) return true;
  return asOf.kind === 'time'
    ? event.createdAt.getTime() <= asOf.ms
    : event.position.prepare <= asOf.position;
}

/**
 * The "now" of the stale-SUBMITTING check: the as-of time, or for a position the latest recorded time
 * seen up to it (a history cut at a position is judged as of its own last moment), else the clock.
 */
export function judgementTimeMs(
  asOf: AsOf | undefined,
  recordedAtMs: readonly number[],
  clockMs: number,
): number {
  if (asOf === undefined) return clockMs;
  if (asOf.kind === 'time') return Math.min(asOf.ms, clockMs);
  let latestMs = 0;
  for (const ms of recordedAtMs) latestMs = Math.max(latestMs, ms);
  return latestMs === 0 ? clockMs : latestMs;
}

export function describeAsOf(asOf: AsOf | undefined): string {
  if (asOf === undefined) return 'now';
  return asOf.kind === 'time' ? new Date(asOf.ms).toISOString() : `global position ${asOf.position}`;
}
