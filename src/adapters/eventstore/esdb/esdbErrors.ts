import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  EventStoreUnavailable,
  StreamNotFound,
  WrongExpectedVersion,
  type ExpectedRevision,
} from '../../../domain/ports/eventStore';

/** gRPC status codes that mean "the server or the connection went away", not "the request was wrong". */
const TRANSIENT_GRPC_CODES = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/**
 * Failures after which the same request may succeed: the node is down or restarting, the connection
 * dropped, leadership moved (the client reconnects to the new leader on the next call).
 */
export function isTransient(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError
  ) {
    return true;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) return true;
  const message = String((error as Error | undefined)?.message ?? '');
  return /ECONNREFUSED|ECONNRESET|No connection established|Connection dropped|write after end|RST_STREAM/i.test(
    message,
  );
}

/** One line without the connection string (it may carry credentials). */
export function describeError(error: unknown): string {
  const message = String((error as Error | undefined)?.message ?? error);
  return message.replace(/esdb(\+discover)?:\/\/\S+/g, '[url]').split('\n')[0] ?? 'unknown error';
}

export function unavailable(error: unknown): EventStoreUnavailable {
  return new EventStoreUnavailable(`event store unavailable: ${describeError(error)}`);
}

/** Maps the client's errors onto the port's; anything unexpected is rethrown unchanged. */
export function mapAppendError(error: unknown, streamId: string, expected: ExpectedRevision): never {
  if (error instanceof WrongExpectedVersionError) {
    const actual = error.actualVersion;
    throw new WrongExpectedVersion(
      streamId,
      expected,
      typeof actual === 'bigint' && actual >= 0n ? actual : 'no_stream',
    );
  }
  if (isTransient(error)) throw unavailable(error);
  throw error;
}

export function mapReadError(error: unknown, streamId?: string): never {
  if (streamId !== undefined && error instanceof StreamNotFoundError) throw new StreamNotFound(streamId);
  if (isTransient(error)) throw unavailable(error);
  throw error;
}
