import { anyPb, grpc, sharedPb, statusPb, streamsPb, type Grpc, type StreamsPb } from './clientProtocol';
import type { DoubleLog, Expected, ProposedEvent } from './doubleLog';
import {
  appendSuccess,
  appendWrongExpectedVersion,
  expectedFromAppend,
  expectedFromBatch,
  sharedWrongExpectedVersion,
  streamName,
  toProposed,
  uuidMessage,
  uuidToString,
} from './doubleMessages';

/**
 * A fault for the next append: refuse it before writing, or write it and lose the answer (the case
 * that deterministic event ids exist for).
 */
export type AppendFault = 'unavailable_before_write' | 'unavailable_after_write';

const FAILED_PRECONDITION = 9;

function unavailable(details: string): Error {
  return Object.assign(new Error(details), {
    code: grpc.status.UNAVAILABLE,
    details,
    metadata: new grpc.Metadata(),
  });
}

export class DoubleAppends {
  readonly faults: AppendFault[] = [];

  constructor(private readonly log: DoubleLog) {}

  /** Client-streaming Append: options first, then the events; decided once the client ends the call. */
  append(
    call: Grpc.ServerReadableStream<StreamsPb.AppendReq, StreamsPb.AppendResp>,
    callback: Grpc.sendUnaryData<StreamsPb.AppendResp>,
  ): void {
    let options: StreamsPb.AppendReq.Options | undefined;
    const proposed: ProposedEvent[] = [];
    call.on('data', (request: StreamsPb.AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      const message = request.getProposedMessage();
      if (message) proposed.push(toProposed(message));
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      if (!options)
        return callback(
          Object.assign(new Error('missing options'), { code: grpc.status.INVALID_ARGUMENT }),
          null,
        );
      const expected = expectedFromAppend(options);
      const fault = this.faults.shift();
      if (fault === 'unavailable_before_write') return callback(unavailable('injected: not written'), null);
      const outcome = this.log.append(streamName(options.getStreamIdentifier()), expected, proposed);
      if (fault === 'unavailable_after_write')
        return callback(unavailable('injected: written, answer lost'), null);
      callback(
        null,
        outcome.ok
          ? appendSuccess(outcome.currentRevision, outcome)
          : appendWrongExpectedVersion(expected, outcome.currentRevision),
      );
    });
  }

  /** Bidirectional BatchAppend (servers since 21.10): requests by correlation id, each decided when final. */
  batchAppend(call: Grpc.ServerDuplexStream<StreamsPb.BatchAppendReq, StreamsPb.BatchAppendResp>): void {
    const pending = new Map<
      string,
      { options: StreamsPb.BatchAppendReq.Options | undefined; proposed: ProposedEvent[] }
    >();
    call.on('data', (request: StreamsPb.BatchAppendReq) => {
      const correlationId = uuidToString(request.getCorrelationId());
      const entry = pending.get(correlationId) ?? { options: undefined, proposed: [] };
      if (request.hasOptions()) entry.options = request.getOptions();
      for (const message of request.getProposedMessagesList()) entry.proposed.push(toProposed(message));
      if (!request.getIsFinal()) {
        pending.set(correlationId, entry);
        return;
      }
      pending.delete(correlationId);
      if (!entry.options) return;
      this.decideBatch(call, correlationId, entry.options, entry.proposed);
    });
    call.on('error', () => undefined);
    call.on('end', () => call.end());
  }

  private decideBatch(
    call: Grpc.ServerDuplexStream<StreamsPb.BatchAppendReq, StreamsPb.BatchAppendResp>,
    correlationId: string,
    options: StreamsPb.BatchAppendReq.Options,
    proposed: ProposedEvent[],
  ): void {
    const expected: Expected = expectedFromBatch(options);
    const fault = this.faults.shift();
    // A lost answer on BatchAppend is the shared call breaking, which fails every append in flight on it.
    if (fault === 'unavailable_before_write')
      return void call.emit('error', unavailable('injected: not written'));
    const outcome = this.log.append(streamName(options.getStreamIdentifier()), expected, proposed);
    if (fault === 'unavailable_after_write')
      return void call.emit('error', unavailable('injected: written, answer lost'));
    const response = new streamsPb.BatchAppendResp();
    response.setCorrelationId(uuidMessage(correlationId, true));
    const identifier = options.getStreamIdentifier();
    if (identifier) response.setStreamIdentifier(identifier);
    if (outcome.ok) {
      const success = new streamsPb.BatchAppendResp.Success();
      success.setCurrentRevision(outcome.currentRevision.toString());
      success.setPosition(
        new sharedPb.AllStreamPosition()
          .setCommitPosition(outcome.commit.toString())
          .setPreparePosition(outcome.prepare.toString()),
      );
      response.setSuccess(success);
    } else {
      const details = new anyPb.Any();
      details.pack(
        sharedWrongExpectedVersion(expected, outcome.currentRevision).serializeBinary(),
        'event_store.client.WrongExpectedVersion',
      );
      const status = new statusPb.Status();
      status.setCode(FAILED_PRECONDITION);
      status.setMessage('Wrong expected version.');
      status.setDetails(details);
      response.setError(status);
    }
    call.write(response);
  }
}
