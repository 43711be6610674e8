/**
 * Which subscriptions an append concerns. A projection subscribes to a few stream prefixes
 * (`execution-`, `user-policy-`); waking every subscription for every append made the policy
 * projection read the store once per execution append, for nothing.
 */

/** Distinct categories carried by one NOTIFY; more than this and the payload says "anything". */
export const MAX_NOTIFY_CATEGORIES = 16;
const MAX_CATEGORY_LENGTH = 40;

/** The stream id up to and including its first `-` (`execution-`, `user-`, `trading-`). */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  const category = dash < 0 ? streamId : streamId.slice(0, dash + 1);
  return category.slice(0, MAX_CATEGORY_LENGTH);
}

/** The NOTIFY payload for appends to these categories; '' (wake everyone) when there are too many. */
export function notifyPayload(categories: ReadonlySet<string>): string {
  if (categories.size === 0 || categories.size > MAX_NOTIFY_CATEGORIES) return '';
  return [...categories].join(',');
}

/** May an append to this stream matter to a subscription to these prefixes (none: every stream)? */
export function concernsStream(prefixes: readonly string[] | undefined, streamId: string): boolean {
  if (!prefixes || prefixes.length === 0) return true;
  return prefixes.some((prefix) => streamId.startsWith(prefix));
}

/**
 * May a NOTIFY with this payload matter to a subscription to these prefixes? Conservative: a payload
 * it cannot read, or a category that could hold one of the prefixes' streams, wakes it.
 */
export function concernsPayload(prefixes: readonly string[] | undefined, payload: string): boolean {
  if (!prefixes || prefixes.length === 0 || payload === '') return true;
  const categories = payload.split(',', MAX_NOTIFY_CATEGORIES + 1);
  if (categories.length > MAX_NOTIFY_CATEGORIES) return true;
  return categories.some((category) =>
    prefixes.some((prefix) => prefix.startsWith(category) || category.startsWith(prefix)),
  );
}
