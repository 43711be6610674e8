import { EventStoreUnavailable } from '../domain/ports/eventStore';
import { isConnectionError } from '../adapters/postgres/createPool';

/**
 * Errors of the application services. Like the domain's errors they carry a stable `code` and the
 * HTTP status the API answers with; the HTTP layer maps any error with both fields the same way.
 */
export class ApplicationError extends Error {
  override readonly name: string = 'ApplicationError';
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/** The database or the event store cannot be reached: answer 503, and send nothing to the exchange. */
export class ServiceUnavailable extends ApplicationError {
  override readonly name = 'ServiceUnavailable';
  constructor(message = 'the database or the event store is unavailable') {
    super('SERVICE_UNAVAILABLE', 503, message);
  }
}

/** Market data (ticker, rules, balance) could not be read, so the gates cannot run; nothing was recorded. */
export class ExchangeUnavailable extends ApplicationError {
  override readonly name = 'ExchangeUnavailable';
  constructor(message: string) {
    super('EXCHANGE_UNAVAILABLE', 503, message);
  }
}

/** A start-up task (e.g. start-up reconciliation) still runs; new submissions wait for it. */
export class NotReady extends ApplicationError {
  override readonly name = 'NotReady';
  constructor(message: string) {
    super('NOT_READY', 503, message);
  }
}

export class NotFound extends ApplicationError {
  override readonly name = 'NotFound';
  constructor(message: string) {
    super('NOT_FOUND', 404, message);
  }
}

/** A read-modify-append kept losing to concurrent writers (bounded retries ran out). */
export class ConcurrentModification extends ApplicationError {
  override readonly name = 'ConcurrentModification';
  constructor(message: string) {
    super('CONCURRENT_MODIFICATION', 409, message);
  }
}

export function isUnavailable(error: unknown): boolean {
  return (
    error instanceof EventStoreUnavailable || error instanceof ServiceUnavailable || isConnectionError(error)
  );
}

/** Runs `work`; a store or database outage becomes ServiceUnavailable, anything else passes through. */
export async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ServiceUnavailable) throw error;
    if (isUnavailable(error)) throw new ServiceUnavailable();
    throw error;
  }
}
