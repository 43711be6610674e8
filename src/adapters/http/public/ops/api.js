/* global AbortController */
// The page's only way to the service: same-origin JSON calls with the ops key as a Bearer token.
// The key lives in sessionStorage (this tab, until it closes), never in localStorage or a cookie.

const KEY_STORAGE = 'trade-ledger.opsApiKey';
const REQUEST_TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** One call; resolves to the parsed JSON body, rejects with ApiError (status 0 for network trouble). */
export async function apiRequest(method, path, body) {
  const key = storedKey();
  if (!key) throw new ApiError(401, 'NO_KEY', 'not signed in');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  const headers = { authorization: `Bearer ${key}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    throw new ApiError(
      0,
      'NETWORK',
      error && error.name === 'AbortError' ? 'request timed out' : 'service unreachable',
    );
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = parsed && parsed.error ? parsed.error : {};
    throw new ApiError(
      response.status,
      error.code || `HTTP_${response.status}`,
      error.message || response.statusText,
    );
  }
  return parsed;
}

export const api = {
  dashboard: () => apiRequest('GET', '/v1/ops/dashboard'),
  execution: (clientOrderId) => apiRequest('GET', `/v1/executions/${encodeURIComponent(clientOrderId)}`),
  reconcile: (clientOrderId) =>
    apiRequest('POST', `/v1/executions/${encodeURIComponent(clientOrderId)}/reconcile`, {}),
  setKillSwitch: (engaged, reason) => apiRequest('PUT', '/v1/ops/kill-switch', { engaged, reason }),
  // toLevel: the level on the operator's screen; the service refuses (409) if the proposal changed since.
  decidePromotion: (userId, decision, note, toLevel) =>
    apiRequest('POST', `/v1/ops/promotions/${encodeURIComponent(userId)}/${decision}`, { note, toLevel }),
};
