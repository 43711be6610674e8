import { expect } from 'vitest';

/** Any decider with plain functions: a fold over events and a decision that returns events or an error. */
export interface DeciderUnderTest<State, Command, Event, DomainError extends { readonly code: string }> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (
    command: Command,
    state: State,
  ) => { readonly ok: true; readonly events: Event[] } | { readonly ok: false; readonly error: DomainError };
}

/**
 * given(history).when(command).then(events) / .thenError(code): the given events are folded with the
 * decider's own evolve (so an illegal "given" fails the test), then the command is decided.
 */
export function deciderSpec<State, Command, Event, DomainError extends { readonly code: string }>(
  decider: DeciderUnderTest<State, Command, Event, DomainError>,
) {
  return {
    given(history: readonly Event[]) {
      return {
        when(command: Command) {
          const decide = () =>
            decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected: readonly Event[]): Event[] {
              const result = decide();
              if (!result.ok)
                throw new Error(`expected events, got ${result.error.code}: ${String(result.error)}`);
              expect(result.events).toEqual(expected);
              // What was decided must apply to the state it was decided on.
              [...history, ...result.events].reduce(decider.evolve, decider.initialState());
              return result.events;
            },
            thenError(code: DomainError['code']): DomainError {
              const result = decide();
              if (result.ok)
                throw new Error(`expected error ${code}, got events ${JSON.stringify(result.events)}`);
              expect(result.error.code).toBe(code);
              return result.error;
            },
          };
        },
      };
    },
  };
}
