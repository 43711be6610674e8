import type { TradingControlState } from '../../domain/control';
import { executionStreamName } from '../../domain/execution';
import type { UserPolicyState } from '../../domain/policy';
import type { TradingControlService } from '../control/tradingControlService';
import { orUnavailable } from '../errors';
import type { UserPolicyService } from '../policy/userPolicyService';
import { loadedFrom, type ExecutionRepository, type LoadedExecution } from './executionRepository';

/** An execution stream holds a handful of events; a longer one is read in pages by the repository. */
const MAX_EVENTS_PER_STREAM = 1_000;

export interface SubmissionStreams {
  readonly existing: LoadedExecution;
  readonly control: TradingControlState;
  readonly policy: UserPolicyState;
}

export interface SubmissionStreamDeps {
  readonly repository: ExecutionRepository;
  readonly control: TradingControlService;
  readonly policy: UserPolicyService;
}

/**
 * The three streams a submission needs, read together and fresh (DESIGN §3 steps 2–3: the execution's
 * own stream, `trading-control` and the user's policy; no cache that could be stale, the kill switch
 * stops the very next request). One round trip on PostgreSQL; the policy and control streams only
 * send what is new since the last read.
 */
export async function readSubmissionStreams(
  deps: SubmissionStreamDeps,
  clientOrderId: string,
  userId: string,
): Promise<SubmissionStreams> {
  const controlStream = deps.control.stream;
  const policyStream = deps.policy.streamOf(userId);
  const requests = [
    { streamId: executionStreamName(clientOrderId), fromRevision: 0n },
    controlStream.nextRead(),
    policyStream.nextRead(),
  ] as const;
  const [execution = [], control = [], policy = []] = await orUnavailable(() =>
    deps.repository.store.readStreams(requests, MAX_EVENTS_PER_STREAM),
  );
  const existing =
    execution.length < MAX_EVENTS_PER_STREAM
      ? loadedFrom(execution)
      : await deps.repository.load(clientOrderId);
  return {
    existing,
    control: (await controlStream.advance(requests[1], control, MAX_EVENTS_PER_STREAM)).state,
    policy: (await policyStream.advance(requests[2], policy, MAX_EVENTS_PER_STREAM)).state,
  };
}
