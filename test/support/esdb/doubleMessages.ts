import { emptyPb, sharedPb, streamsPb, type SharedPb, type StreamsPb } from './clientProtocol';
import type { Expected, LogPosition, ProposedEvent, StoredEvent } from './doubleLog';

const HEX = /^[0-9a-f]{32}$/;

export function uuidToString(uuid: SharedPb.UUID | undefined): string {
  if (!uuid) throw new Error('missing uuid');
  if (uuid.hasString()) return uuid.getString().toLowerCase();
  const structured = uuid.getStructured();
  if (!structured) throw new Error('empty uuid');
  const hex =
    BigInt.asUintN(64, BigInt(structured.getMostSignificantBits())).toString(16).padStart(16, '0') +
    BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits())).toString(16).padStart(16, '0');
  if (!HEX.test(hex)) throw new Error('bad uuid');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidMessage(id: string, asString: boolean): SharedPb.UUID {
  const uuid = new sharedPb.UUID();
  if (asString) return uuid.setString(id);
  const hex = id.replace(/-/g, '');
  const structured = new sharedPb.UUID.Structured();
  structured.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString());
  structured.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  return uuid.setStructured(structured);
}

export function streamName(identifier: SharedPb.StreamIdentifier | undefined): string {
  if (!identifier) throw new Error('missing stream identifier');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(name: string): SharedPb.StreamIdentifier {
  return new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

interface ProposedMessageLike {
  getId(): SharedPb.UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

export function toProposed(message: ProposedMessageLike): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: uuidToString(message.getId()),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

export function expectedFromAppend(options: StreamsPb.AppendReq.Options): Expected {
  const Case = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
  switch (options.getExpectedStreamRevisionCase()) {
    case Case.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    case Case.NO_STREAM:
      return { kind: 'no_stream' };
    case Case.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
}

export function expectedFromBatch(options: StreamsPb.BatchAppendReq.Options): Expected {
  const Case = streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase;
  switch (options.getExpectedStreamPositionCase()) {
    case Case.STREAM_POSITION:
      return { kind: 'revision', revision: BigInt(options.getStreamPosition()) };
    case Case.NO_STREAM:
      return { kind: 'no_stream' };
    case Case.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
}

export function readEventResp(stored: StoredEvent, uuidAsString: boolean): StreamsPb.ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuidMessage(stored.id, uuidAsString));
  recorded.setStreamIdentifier(streamIdentifier(stored.streamId));
  recorded.setStreamRevision(stored.revision.toString());
  recorded.setCommitPosition(stored.commit.toString());
  recorded.setPreparePosition(stored.prepare.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set('type', stored.type);
  metadata.set('content-type', stored.contentType);
  metadata.set('created', stored.createdTicks.toString());
  recorded.setData(stored.data);
  recorded.setCustomMetadata(stored.metadata);
  const readEvent = new streamsPb.ReadResp.ReadEvent();
  readEvent.setEvent(recorded);
  readEvent.setCommitPosition(stored.commit.toString());
  return new streamsPb.ReadResp().setEvent(readEvent);
}

export function checkpointResp(position: LogPosition): StreamsPb.ReadResp {
  const checkpoint = new streamsPb.ReadResp.Checkpoint();
  checkpoint.setCommitPosition(position.commit.toString());
  checkpoint.setPreparePosition(position.prepare.toString());
  return new streamsPb.ReadResp().setCheckpoint(checkpoint);
}

export function sharedWrongExpectedVersion(
  expected: Expected,
  current: bigint | undefined,
): SharedPb.WrongExpectedVersion {
  const wrong = new sharedPb.WrongExpectedVersion();
  if (current === undefined) wrong.setCurrentNoStream(new emptyPb.Empty());
  else wrong.setCurrentStreamRevision(current.toString());
  if (expected.kind === 'revision') wrong.setExpectedStreamPosition(expected.revision.toString());
  else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new emptyPb.Empty());
  else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new emptyPb.Empty());
  else wrong.setExpectedAny(new emptyPb.Empty());
  return wrong;
}

export function appendWrongExpectedVersion(
  expected: Expected,
  current: bigint | undefined,
): StreamsPb.AppendResp {
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  if (current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentRevision(current.toString());
  if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
  else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
  else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
  else wrong.setExpectedAny(new sharedPb.Empty());
  return new streamsPb.AppendResp().setWrongExpectedVersion(wrong);
}

export function appendSuccess(currentRevision: bigint, position: LogPosition): StreamsPb.AppendResp {
  const success = new streamsPb.AppendResp.Success();
  success.setCurrentRevision(currentRevision.toString());
  success.setPosition(
    new streamsPb.AppendResp.Position()
      .setCommitPosition(position.commit.toString())
      .setPreparePosition(position.prepare.toString()),
  );
  return new streamsPb.AppendResp().setSuccess(success);
}
