import type { GlobalPosition, RecordedEvent } from '../../../domain/ports/eventStore';

export interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: Date;
}

export const EVENT_COLUMNS =
  'global_position, transaction_id::text AS transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata, created_at';

export function positionOf(row: Pick<EventRow, 'transaction_id' | 'global_position'>): GlobalPosition {
  return { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) };
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: positionOf(row),
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}

export function positionParams(position: GlobalPosition | undefined): [string | null, string | null] {
  if (!position || position.commit < 0n) return [null, null];
  return [position.commit.toString(), position.prepare.toString()];
}
