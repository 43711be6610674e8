import { clientOrderIdSchema } from './eventFields';

export const EXECUTION_STREAM_PREFIX = 'execution-';

/** One stream per execution: `execution-<clientOrderId>`. */
export function executionStreamName(clientOrderId: string): string {
  return `${EXECUTION_STREAM_PREFIX}${clientOrderId}`;
}

/** The clientOrderId of an execution stream, or `null` when the name is not one. */
export function parseExecutionStreamName(streamName: string): string | null {
  if (!streamName.startsWith(EXECUTION_STREAM_PREFIX)) return null;
  const clientOrderId = streamName.slice(EXECUTION_STREAM_PREFIX.length);
  return clientOrderIdSchema.safeParse(clientOrderId).success ? clientOrderId : null;
}
