import { executionsProjection } from './executions/executionsProjection';
import type { ProjectionDefinition } from './projection';
import { userPoliciesProjection } from './userPolicies/userPoliciesProjection';

/** Every projection of the service, in the order `ledger rebuild` and `ledger verify` take them. */
export function allProjections(): ProjectionDefinition[] {
  return [executionsProjection(), userPoliciesProjection()];
}

export function projectionNames(): string[] {
  return allProjections().map((projection) => projection.name);
}

export function findProjection(name: string): ProjectionDefinition | undefined {
  return allProjections().find((projection) => projection.name === name);
}
