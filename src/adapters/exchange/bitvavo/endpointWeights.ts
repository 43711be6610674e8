/**
 * Rate-limit weight points per endpoint (Bitvavo REST v2; 1000 points per minute per API key).
 * `endpoint` is the path below the API root, e.g. `/order`.
 * Shared by the client (budget) and the simulator (enforcement) so the two cannot drift apart.
 */
export function endpointWeight(method: string, endpoint: string, query: URLSearchParams): number {
  const key = `${method.toUpperCase()} ${endpoint}`;
  switch (key) {
    case 'GET /balance':
    case 'GET /orders':
      return 5;
    case 'GET /ordersOpen':
      // Open orders of every market is the expensive variant.
      return query.has('market') ? 1 : 25;
    default:
      return 1;
  }
}

/** Bitvavo's default budget per minute. */
export const DEFAULT_RATE_LIMIT_PER_MIN = 1000;
export const RATE_LIMIT_WINDOW_MS = 60_000;
