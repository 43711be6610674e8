import { deciderSpec, type DeciderUnderTest } from './deciderSpec';

/**
 * deciderSpec, plus the state after the decision: `then` returns the fold of the history and the
 * new events (so tests can check what the change did), and `thenNothing` asserts an idempotent no-op.
 */
export function givenWhenThen<State, Command, Event, DomainError extends { readonly code: string }>(
  decider: DeciderUnderTest<State, Command, Event, DomainError>,
) {
  const spec = deciderSpec(decider);
  return {
    given(history: readonly Event[]) {
      const given = spec.given(history);
      return {
        when(command: Command) {
          const when = given.when(command);
          return {
            then(expected: readonly Event[]): State {
              const events = when.then(expected);
              return [...history, ...events].reduce(decider.evolve, decider.initialState());
            },
            thenNothing(): void {
              when.then([]);
            },
            thenError(code: DomainError['code']): DomainError {
              return when.thenError(code);
            },
          };
        },
      };
    },
  };
}
