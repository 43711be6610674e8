import type { RecordedEvent } from '../../domain/ports/eventStore';
import { executionEventTime, type ExecutionEvent } from '../../domain/execution';
import type { ColumnTypes } from '../sqlColumns';

/** One row of the audit log `execution_events`. */
export interface ExecutionEventRow {
  execution_id: string;
  stream_revision: string;
  event_id: string;
  commit_position: string;
  global_position: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: string;
  recorded_at: string;
}

export const EXECUTION_EVENT_COLUMNS: ColumnTypes<ExecutionEventRow> = {
  execution_id: 'text',
  stream_revision: 'bigint',
  event_id: 'uuid',
  commit_position: 'numeric(20,0)',
  global_position: 'numeric(20,0)',
  event_type: 'text',
  data: 'jsonb',
  metadata: 'jsonb',
  created_at: 'timestamptz',
  recorded_at: 'timestamptz',
};

/** The event as recorded (data untouched); `created_at` is the time it happened, from its data. */
export function executionEventRow(
  clientOrderId: string,
  recorded: RecordedEvent,
  event: ExecutionEvent,
): ExecutionEventRow {
  return {
    execution_id: clientOrderId,
    stream_revision: recorded.revision.toString(),
    event_id: recorded.id,
    commit_position: recorded.position.commit.toString(),
    global_position: recorded.position.prepare.toString(),
    event_type: recorded.type,
    data: recorded.data,
    metadata: recorded.metadata,
    created_at: executionEventTime(event),
    recorded_at: recorded.createdAt.toISOString(),
  };
}
