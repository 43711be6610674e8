import { ago, byId, duration, h, percent, replaceRows, setFacts, shortId, time, until } from './dom.js';

// Renders one dashboard snapshot (GET /v1/ops/dashboard) into the cards. Each function owns one
// card and replaces its rows wholesale: the snapshot is small (bounded lists) and this keeps the
// page exactly what the server said.

const executionLink = (id, actions) =>
  h(
    'a',
    {
      href: `#execution/${encodeURIComponent(id)}`,
      title: id,
      class: 'execution-link',
      dataset: { execution: id },
      onClick: (event) => {
        event.preventDefault();
        actions.showExecution(id);
      },
    },
    shortId(id),
  );

export function renderKillSwitch(snapshot, actions) {
  const state = snapshot.killSwitch;
  const badge = byId('kill-switch-state');
  const toggle = byId('kill-switch-toggle');
  if (state === null) {
    badge.dataset.state = 'unknown';
    badge.textContent = 'unknown';
    toggle.hidden = true;
    setFacts(byId('kill-switch-facts'), []);
    return;
  }
  badge.dataset.state = state.engaged ? 'engaged' : 'released';
  badge.textContent = state.engaged ? 'ENGAGED — trading stopped' : 'released — trading allowed';
  toggle.hidden = false;
  toggle.textContent = state.engaged ? 'Release…' : 'Engage…';
  toggle.className = state.engaged ? '' : 'danger';
  toggle.dataset.engaged = String(state.engaged);
  toggle.onclick = () => actions.toggleKillSwitch(!state.engaged);
  setFacts(byId('kill-switch-facts'), [
    ['Why', state.reason ?? '—'],
    ['By', state.changedBy ?? '—'],
    [
      'When',
      state.changedAt
        ? `${time(state.changedAt)} (${ago(state.changedAt, snapshot.nowMs)})`
        : 'never changed',
    ],
  ]);
}

export function renderRecovery(snapshot) {
  const r = snapshot.recovery;
  const ratePct = Number(r.rate) * 100;
  const card = byId('recovery-card');
  card.dataset.state = r.aboveThreshold ? 'alert' : 'ok';
  byId('recovery-rate').textContent =
    r.pastGates === 0 ? 'no executions' : `${percent(r.rate)} / ${r.thresholdPct} %`;
  const meter = byId('recovery-meter');
  // The bar's full width is twice the threshold, so the threshold mark sits in the middle.
  meter.style.width = `${Math.min(100, (ratePct / (r.thresholdPct * 2)) * 100)}%`;
  meter.dataset.state = r.aboveThreshold ? 'alert' : 'ok';
  const stored =
    r.lastStoredPct === null
      ? 'no daily row yet'
      : `last daily row ${r.lastStoredPct} % (${ago(r.lastStoredAt, snapshot.nowMs)})`;
  byId('recovery-detail').textContent =
    `${r.neededReconciliation} of ${r.pastGates} executions past the gates needed reconciliation; ${stored}.`;
}

export function renderInvariants(snapshot, actions) {
  const rows = snapshot.invariants.map((check) => {
    const state = check.ok === null ? 'unknown' : check.ok ? 'ok' : 'alert';
    const result =
      check.ok === null
        ? 'never run'
        : check.ok
          ? 'OK'
          : `${check.violations} violation${check.violations === 1 ? '' : 's'}`;
    const links = check.executionIds.map((id) => executionLink(id, actions));
    const more =
      check.violations > check.executionIds.length && check.executionIds.length > 0
        ? ` +${check.violations - check.executionIds.length} more`
        : '';
    return h(
      'tr',
      { dataset: { check: check.check, state } },
      h('td', { title: check.description }, h('code', {}, `${check.check}()`)),
      h('td', {}, check.lastRunAt ? ago(check.lastRunAt, snapshot.nowMs) : '—'),
      h('td', {}, h('span', { class: `pill ${state}` }, result)),
      h(
        'td',
        { class: 'links' },
        links.length > 0 ? [...links, more] : check.ok === false ? check.summary : '—',
      ),
    );
  });
  replaceRows(byId('invariants-table').tBodies[0], rows, 'no invariant results', 4);
}

export function renderSubmitting(snapshot, actions) {
  const s = snapshot.submitting;
  byId('submitting-summary').textContent =
    `${s.total} in flight, ${s.stale} stale (no event for ${duration(s.staleAfterSeconds * 1000)})` +
    (s.total > s.items.length ? `; showing the oldest ${s.items.length}` : '');
  const rows = s.items.map((item) =>
    h(
      'tr',
      {
        dataset: { execution: item.clientOrderId, stale: String(item.stale) },
        class: item.stale ? 'stale' : '',
      },
      h(
        'td',
        {},
        executionLink(item.clientOrderId, actions),
        item.stale ? h('span', { class: 'pill alert' }, 'stale') : null,
      ),
      h('td', {}, item.userId),
      h('td', {}, `${item.market} ${item.side}`),
      h('td', { title: time(item.updatedAt) }, duration(item.ageSeconds * 1000)),
      h('td', {}, String(item.reconcileAttempts)),
      h('td', { class: 'error-text' }, item.lastError ?? '—'),
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'reconcile',
            onClick: (event) => actions.reconcile(item.clientOrderId, event.currentTarget),
          },
          'Reconcile',
        ),
      ),
    ),
  );
  replaceRows(byId('submitting-table').tBodies[0], rows, 'nothing in flight', 7);
}

/** A per-order limit: null means no fixed limit (MATURE, capped by the balance). */
const eur = (limit) => (limit === null ? 'balance' : `€${limit}`);

export function renderPromotions(snapshot, actions) {
  const rows = snapshot.promotions.map((p) =>
    h(
      'tr',
      { dataset: { user: p.userId } },
      h('td', {}, p.userId),
      h('td', {}, `${p.fromLevel} → ${p.toLevel}`),
      h('td', {}, `${eur(p.currentLimitEur)} → ${eur(p.newLimitEur)}`),
      h('td', {}, String(p.stats.executionsPastGates)),
      h('td', {}, percent(p.stats.successRate)),
      h('td', {}, percent(p.stats.recoveryRate)),
      h('td', { title: time(p.proposedAt) }, ago(p.proposedAt, snapshot.nowMs)),
      h(
        'td',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'approve', onClick: () => actions.decidePromotion(p, 'approve') },
          'Approve…',
        ),
        h(
          'button',
          { type: 'button', class: 'reject secondary', onClick: () => actions.decidePromotion(p, 'reject') },
          'Reject…',
        ),
      ),
    ),
  );
  replaceRows(byId('promotions-table').tBodies[0], rows, 'no promotion waiting for review', 8);
}

export function renderJobs(snapshot) {
  const rows = snapshot.jobs.map((job) => {
    const state = job.outcome === 'succeeded' ? 'ok' : job.outcome === 'failed' ? 'alert' : 'unknown';
    // An expected job that no live instance runs is the thing to see first: nothing will run it.
    const instances =
      job.liveInstances > 0
        ? h(
            'span',
            { class: 'pill ok', title: `heartbeat ${time(job.lastHeartbeatAt)}` },
            String(job.liveInstances),
          )
        : h(
            'span',
            {
              class: `pill ${job.expected ? 'alert' : 'unknown'}`,
              title: `last heartbeat ${time(job.lastHeartbeatAt)}`,
            },
            'none',
          );
    return h(
      'tr',
      { dataset: { job: job.job } },
      h('td', {}, job.job),
      h('td', { class: 'instances' }, instances),
      h('td', { title: time(job.nextDueAt) }, until(job.nextDueAt, snapshot.nowMs)),
      h('td', { title: time(job.lastRunAt) }, ago(job.lastRunAt, snapshot.nowMs)),
      h('td', {}, h('span', { class: `pill ${state}` }, job.outcome.replaceAll('_', ' '))),
      h('td', {}, duration(job.durationMs)),
      h('td', { title: time(job.lastSuccessAt) }, ago(job.lastSuccessAt, snapshot.nowMs)),
      h('td', { class: 'detail' }, job.detail ?? ''),
    );
  });
  replaceRows(byId('jobs-table').tBodies[0], rows, 'no job has run yet', 8);
}

export function renderHealth(snapshot) {
  const projections = snapshot.projections.map((p) =>
    h(
      'tr',
      { dataset: { projection: p.name } },
      h('td', {}, p.name),
      h('td', {}, duration(p.lagMs)),
      h('td', {}, p.eventsBehind === null ? '—' : `${p.eventsBehind} events`),
      h('td', {}, ago(p.lastEventAt, snapshot.nowMs)),
    ),
  );
  replaceRows(byId('projections-table').tBodies[0], projections, 'no projection has run yet', 4);
  const limit = snapshot.exchange.rateLimit;
  byId('rate-limit').replaceChildren(
    h('span', { class: 'muted' }, 'Exchange rate-limit budget: '),
    limit === null
      ? 'not known yet'
      : limit.limit === null
        ? 'no local limit (simulator without rate limit)'
        : `${limit.remaining} of ${limit.limit} points left this minute` +
          (limit.resetAt ? `, resets ${time(limit.resetAt)}` : ''),
  );
  const latency = snapshot.exchange.latency.map((l) =>
    h(
      'tr',
      {},
      h('td', {}, h('code', {}, l.endpoint)),
      h('td', {}, String(l.count)),
      h('td', {}, duration(l.p50Ms)),
      h('td', {}, duration(l.p95Ms)),
    ),
  );
  replaceRows(byId('latency-table').tBodies[0], latency, 'no exchange call measured yet', 4);
}

export function renderTimeline(body) {
  const e = body.execution;
  byId('timeline-id').textContent = e.clientOrderId;
  setFacts(byId('timeline-facts'), [
    ['Status', e.status],
    ['User', e.userId],
    [
      'Order',
      `${e.market} ${e.side} ${e.orderType} ${e.amount ?? ''}${e.amountQuote ? ` (€${e.amountQuote})` : ''}`.trim(),
    ],
    ['Exchange order id', e.exchangeOrderId ?? '—'],
    ['Reconcile attempts', String(e.reconcileAttempts)],
    ['Last error', e.lastError ?? '—'],
  ]);
  const events = (body.events ?? []).map((event) =>
    h(
      'li',
      { dataset: { type: event.type } },
      h('span', { class: 'when' }, time(event.createdAt)),
      h('strong', {}, event.type),
      h('code', { class: 'data' }, summarize(event.data)),
    ),
  );
  byId('timeline-events').replaceChildren(...events);
  byId('timeline-card').hidden = false;
}

/** One line of the event's data worth reading; the whole event is in `ledger replay`. */
function summarize(data) {
  if (!data || typeof data !== 'object') return '';
  const skip = new Set(['clientOrderId', 'schemaVersion', 'userId', 'at']);
  const parts = Object.entries(data)
    .filter(([key, value]) => !skip.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`);
  const text = parts.join(' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
