import { fastExecutionEvent, fromRecordedEvent, type ExecutionEvent } from '../../domain/execution';
import type { RecordedEvent } from '../../domain/ports/eventStore';

/** Every event of a type is also checked by zod until this many of the type were seen... */
const ZOD_FIRST_OF_EACH_TYPE = 64;
/** ...and after that one in this many (a power of two). */
const ZOD_ONE_IN = 1024;

export type ExecutionEventParser = (recorded: Pick<RecordedEvent, 'type' | 'data'>) => ExecutionEvent;

/**
 * Reads events for a fold: upcast, then the hand-written check (fastExecutionEvent), which is
 * several times cheaper than zod and matters when a rebuild reads millions of events. The store
 * validated each event with zod when it was appended; the check validates it again on read, as
 * DESIGN §2 asks. As a guard against the twin ever drifting from the schemas, the first events of
 * every type and then a sample go through zod as well (a refusal fails the fold like any invalid
 * event). `ledger verify` replays every event through zod.
 */
export function executionEventParser(): ExecutionEventParser {
  const seen = new Map<string, number>();
  return (recorded) => {
    const count = (seen.get(recorded.type) ?? 0) + 1;
    // Bounded by the number of event types the store holds (an unknown one fails the fold).
    seen.set(recorded.type, count);
    if (count <= ZOD_FIRST_OF_EACH_TYPE || (count & (ZOD_ONE_IN - 1)) === 0) {
      return fromRecordedEvent(recorded);
    }
    return fastExecutionEvent(recorded.type, recorded.data);
  };
}
