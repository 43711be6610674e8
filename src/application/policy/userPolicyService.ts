import type { Clock } from '../../domain/ports/clock';
import { WrongExpectedVersion, type EventStore } from '../../domain/ports/eventStore';
import {
  decideUserPolicy,
  evolveUserPolicy,
  initialUserPolicyState,
  parseUserPolicyEvent,
  userIdSchema,
  userPolicyStreamId,
  type UserPolicyCommand,
  type UserPolicyEvent,
  type UserPolicyState,
} from '../../domain/policy';
import { ApplicationError, ConcurrentModification, orUnavailable } from '../errors';
import { expectedAfter, FoldedStream } from '../streams/foldedStream';

const MAX_COMMAND_ATTEMPTS = 5;
/** Folded policies kept in memory; the least recently used is dropped beyond this. */
const MAX_CACHED_USERS = 10_000;

export interface PolicyChange {
  readonly state: UserPolicyState;
  readonly changed: boolean;
}

/**
 * `user-policy-<userId>` streams. A user without a stream is TRAINING with trading disabled until an
 * operator enables it. Reads always reach the stream's latest event.
 */
export class UserPolicyService {
  private readonly streams = new Map<string, FoldedStream<UserPolicyState>>();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async read(userId: string): Promise<UserPolicyState> {
    return (await this.streamOf(userId).current()).state;
  }

  async exists(userId: string): Promise<boolean> {
    return (await this.streamOf(userId).current()).revision >= 0n;
  }

  /**
   * Decides the commands in order, each on the state the previous ones lead to, and appends all their
   * events at once with the stream's expected revision (all or nothing). A concurrent change is
   * re-read and everything decided again. Commands whose outcome already holds add no events.
   */
  async execute(userId: string, commands: readonly UserPolicyCommand[]): Promise<PolicyChange> {
    const stream = this.streamOf(userId);
    for (let attempt = 1; attempt <= MAX_COMMAND_ATTEMPTS; attempt++) {
      const { state, revision } = await stream.current();
      const nowIso = new Date(this.clock.nowMs()).toISOString();
      let next = state;
      const events: UserPolicyEvent[] = [];
      for (const command of commands) {
        const decision = decideUserPolicy(command, next, nowIso);
        if (!decision.ok) throw decision.error;
        for (const event of decision.events) next = evolveUserPolicy(next, event);
        events.push(...decision.events);
      }
      if (events.length === 0) return { state, changed: false };
      try {
        await orUnavailable(() =>
          this.store.appendToStream(
            stream.streamId,
            events.map((event) => ({ type: event.type, data: event.data })),
            { expectedRevision: expectedAfter(revision) },
          ),
        );
      } catch (error) {
        if (error instanceof WrongExpectedVersion) continue;
        throw error;
      }
      return { state: (await stream.current()).state, changed: true };
    }
    throw new ConcurrentModification(`the policy of ${userId} kept changing under this command; try again`);
  }

  /** The user's folded stream (cached); for callers that read it together with other streams. */
  streamOf(userId: string): FoldedStream<UserPolicyState> {
    if (!userIdSchema.safeParse(userId).success) {
      throw new ApplicationError(
        'VALIDATION_FAILED',
        400,
        'user id must be 1–100 letters, digits or _ . : @ -',
      );
    }
    let stream = this.streams.get(userId);
    if (stream === undefined) {
      stream = new FoldedStream(
        this.store,
        userPolicyStreamId(userId),
        () => initialUserPolicyState(userId),
        (state, event) => evolveUserPolicy(state, parseUserPolicyEvent(event)),
      );
      if (this.streams.size >= MAX_CACHED_USERS) {
        const oldest = this.streams.keys().next();
        if (!oldest.done) this.streams.delete(oldest.value);
      }
    } else {
      this.streams.delete(userId);
    }
    this.streams.set(userId, stream);
    return stream;
  }
}
