/** Who is calling: resolved from the API key on every request that is not public. */
export const ROLES = ['trader', 'ops'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The public part of the API key (safe to log and to record as the actor). */
  readonly keyId: string;
  readonly role: Role;
  /** The user a trader key is bound to; `null` for ops. */
  readonly userId: string | null;
  /** A label given when the key was created (e.g. the operator's name), or `null`. */
  readonly name: string | null;
}

/** The actor recorded in audit events ("who"): the role and the key's name, or its public id. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.name ?? principal.keyId}`.slice(0, 100);
}

/** A trader may act only for the user its key is bound to; ops for anyone. */
export function mayActForUser(principal: Principal, userId: string): boolean {
  return principal.role === 'ops' || principal.userId === userId;
}
