import { EXECUTION_STREAM_PREFIX } from '../../../domain/execution';
import type { EventStore, GlobalPosition } from '../../../domain/ports/eventStore';

export interface UserExecutionsQuery {
  readonly userId: string;
  /** Inclusive bounds on the proposal's own time (submittingAt / rejectedAt), epoch ms. */
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit: number;
  readonly batchSize?: number;
}

export interface UserExecutions {
  /** Stream ids in global order of their first event. */
  readonly streamIds: string[];
  /** More matched than `limit`; only the first `limit` are listed. */
  readonly truncated: boolean;
  readonly eventsScanned: number;
}

/** A global-order scan never reads more than this many batches (10^5 × 1000 events). */
const MAX_SCAN_BATCHES = 100_000;

function proposalTimeMs(data: Record<string, unknown>, fallbackMs: number): number {
  const time = data['submittingAt'] ?? data['rejectedAt'];
  const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isNaN(ms) ? fallbackMs : ms;
}

/**
 * A user's executions, found from the event store itself (the record of truth, whichever store it
 * is): every execution stream starts with the proposal (ExecutionSubmitting or ExecutionRejected),
 * which names the user. Scans the execution streams in global order, in batches.
 */
export async function findUserExecutions(
  store: EventStore,
  query: UserExecutionsQuery,
): Promise<UserExecutions> {
  const streamIds: string[] = [];
  let truncated = false;
  let eventsScanned = 0;
  let after: GlobalPosition | undefined;
  for (let batch = 0; batch < MAX_SCAN_BATCHES; batch++) {
    const result = await store.readAll({
      maxCount: query.batchSize ?? 1000,
      streamPrefixes: [EXECUTION_STREAM_PREFIX],
      ...(after === undefined ? {} : { after }),
    });
    if (result.events.length === 0 && result.endReached) return { streamIds, truncated, eventsScanned };
    eventsScanned += result.events.length;
    for (const event of result.events) {
      if (event.revision !== 0n || event.data['userId'] !== query.userId) continue;
      const atMs = proposalTimeMs(event.data, event.createdAt.getTime());
      if (query.fromMs !== undefined && atMs < query.fromMs) continue;
      if (query.toMs !== undefined && atMs > query.toMs) continue;
      if (streamIds.length >= query.limit) truncated = true;
      else streamIds.push(event.streamId);
    }
    after = result.lastPosition;
  }
  throw new Error(`scan stopped after ${MAX_SCAN_BATCHES} batches`);
}
