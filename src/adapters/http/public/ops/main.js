import { api, ApiError, forgetKey, storedKey, storeKey } from './api.js';
import { ExecutionsChart } from './chart.js';
import { confirmWithText } from './dialogs.js';
import { byId } from './dom.js';
import {
  renderHealth,
  renderInvariants,
  renderJobs,
  renderKillSwitch,
  renderPromotions,
  renderRecovery,
  renderSubmitting,
  renderTimeline,
} from './panels.js';

// Polling, not server-sent events: one small aggregated GET every few seconds is cheap, survives
// proxies and restarts without reconnect logic, and carries the Bearer header (EventSource cannot).
const POLL_INTERVAL_MS = 5_000;
const POLL_BACKOFF_MAX_MS = 60_000;

let chart = null;
let pollTimer = null;
let failures = 0;
let openExecution = null;

function showSignIn(message) {
  stopPolling();
  byId('dashboard').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in').hidden = false;
  const error = byId('sign-in-error');
  error.textContent = message ?? '';
  error.hidden = !message;
  byId('refresh-status').textContent = '';
  byId('api-key').focus();
}

function showDashboard() {
  byId('sign-in').hidden = true;
  byId('dashboard').hidden = false;
  byId('sign-out').hidden = false;
  if (chart === null) chart = new ExecutionsChart(byId('executions-chart'));
}

function stopPolling() {
  if (pollTimer !== null) clearTimeout(pollTimer);
  pollTimer = null;
}

function schedule(delayMs) {
  stopPolling();
  pollTimer = setTimeout(refresh, delayMs);
}

/** An auth failure sends the operator back to the prompt; anything else keeps the last snapshot on screen. */
function handleAuthError(error) {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 401) {
    forgetKey();
    showSignIn('That key was not accepted (unknown or revoked). Sign in again.');
    return true;
  }
  if (error.status === 403) {
    forgetKey();
    showSignIn('That key is not an ops key: the dashboard needs the ops role.');
    return true;
  }
  return false;
}

export async function refresh() {
  if (!storedKey()) return showSignIn();
  try {
    const snapshot = await api.dashboard();
    snapshot.nowMs = Date.parse(snapshot.generatedAt);
    showDashboard();
    render(snapshot);
    failures = 0;
    byId('refresh-status').textContent =
      `updated ${new Date(snapshot.nowMs).toISOString().slice(11, 19)} UTC`;
    byId('refresh-status').dataset.state = 'ok';
    document.body.dataset.loaded = 'true';
    schedule(POLL_INTERVAL_MS);
  } catch (error) {
    if (handleAuthError(error)) return;
    failures += 1;
    byId('refresh-status').textContent = `refresh failed (${error.message}); retrying`;
    byId('refresh-status').dataset.state = 'alert';
    schedule(Math.min(POLL_BACKOFF_MAX_MS, POLL_INTERVAL_MS * 2 ** Math.min(failures, 4)));
  }
}

const eur = (limit) => (limit === null ? 'the balance (no fixed limit)' : `€${limit}`);

const actions = {
  toggleKillSwitch: (engage) =>
    confirmWithText({
      title: engage ? 'Engage the kill switch?' : 'Release the kill switch?',
      text: engage
        ? 'Every new order is refused from the very next request. Reconciliation keeps running.'
        : 'New orders are accepted again, within each user’s limits.',
      label: 'Reason',
      confirmLabel: engage ? 'Engage' : 'Release',
      danger: engage,
      action: (reason) => api.setKillSwitch(engage, reason),
    }).then((done) => done !== null && refresh()),

  decidePromotion: (promotion, decision) =>
    confirmWithText({
      title: `${decision === 'approve' ? 'Approve' : 'Reject'} the promotion of ${promotion.userId}?`,
      text:
        decision === 'approve'
          ? `${promotion.fromLevel} → ${promotion.toLevel}: the per-order limit becomes ${eur(promotion.newLimitEur)} ` +
            `(now ${eur(promotion.currentLimitEur)}) from the user’s next order.`
          : `The user stays at ${promotion.fromLevel}.`,
      label: 'Note',
      confirmLabel: decision === 'approve' ? 'Approve' : 'Reject',
      danger: decision === 'reject',
      action: (note) => api.decidePromotion(promotion.userId, decision, note, promotion.toLevel),
    }).then((done) => done !== null && refresh()),

  reconcile: async (clientOrderId, button) => {
    button.disabled = true;
    button.textContent = 'Reconciling…';
    try {
      const result = await api.reconcile(clientOrderId);
      const status = result && result.execution ? result.execution.status : 'done';
      button.textContent = `${result && result.action ? result.action : 'done'} → ${status}`;
      await actions.showExecution(clientOrderId);
      await refresh();
    } catch (error) {
      if (handleAuthError(error)) return;
      button.disabled = false;
      button.textContent = 'Reconcile';
      button.title = error.message;
      byId('refresh-status').textContent = `reconcile failed: ${error.message}`;
      byId('refresh-status').dataset.state = 'alert';
    }
  },

  showExecution: async (clientOrderId) => {
    openExecution = clientOrderId;
    try {
      const body = await api.execution(clientOrderId);
      if (openExecution !== clientOrderId) return;
      renderTimeline(body);
      window.history.replaceState(null, '', `#execution/${encodeURIComponent(clientOrderId)}`);
      byId('timeline-card').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    } catch (error) {
      if (handleAuthError(error)) return;
      byId('refresh-status').textContent = `could not load ${clientOrderId}: ${error.message}`;
      byId('refresh-status').dataset.state = 'alert';
    }
  },
};

function render(snapshot) {
  renderKillSwitch(snapshot, actions);
  renderRecovery(snapshot);
  chart.update(snapshot.executionsPerHour, snapshot.recovery.thresholdPct);
  renderInvariants(snapshot, actions);
  renderSubmitting(snapshot, actions);
  renderPromotions(snapshot, actions);
  renderJobs(snapshot);
  renderHealth(snapshot);
}

function executionFromHash() {
  const match = /^#execution\/(.+)$/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = byId('api-key').value.trim();
  if (key === '') return;
  storeKey(key);
  byId('api-key').value = '';
  refresh().then(() => {
    const fromHash = executionFromHash();
    if (fromHash && storedKey()) actions.showExecution(fromHash);
  });
});

byId('sign-out').addEventListener('click', () => {
  forgetKey();
  showSignIn();
});

byId('timeline-close').addEventListener('click', () => {
  openExecution = null;
  byId('timeline-card').hidden = true;
  window.history.replaceState(null, '', window.location.pathname);
});

window.addEventListener('hashchange', () => {
  const id = executionFromHash();
  if (id && storedKey()) actions.showExecution(id);
});

refresh().then(() => {
  const id = executionFromHash();
  if (id && storedKey()) actions.showExecution(id);
});
