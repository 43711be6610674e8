'use strict';
/* global require, performance */
// An open-loop load generator (a worker thread of bench/support/pacedLoad.ts): request i is due at
// start + i / ratePerS, whatever happened to earlier ones. Latency is counted from that due time, not
// from when the request could be sent, so a slow server cannot hide its queueing (no "coordinated
// omission"). Each request is a new execution (a fresh clientOrderId).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as a plain worker script
const { parentPort, workerData } = require('node:worker_threads');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- idem
const { randomUUID } = require('node:crypto');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- idem
const { Pool } = require('undici');

const { url, key, ratePerS, durationS, maxConnections, bodyTemplate } = workerData;
const total = Math.round(ratePerS * durationS);
const intervalMs = 1000 / ratePerS;
const pool = new Pool(url, { connections: maxConnections, pipelining: 1 });
const latenciesMs = [];
const statuses = {};
let errors = 0;
let finished = 0;

async function send(dueMs) {
  const body = bodyTemplate.replace('__CLIENT_ORDER_ID__', randomUUID());
  try {
    const response = await pool.request({
      method: 'POST',
      path: '/v1/executions',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
    await response.body.dump();
    statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
  } catch {
    errors++;
  }
  latenciesMs.push(performance.now() - dueMs);
  finished++;
}

const startMs = performance.now() + 20;
let sent = 0;
function tick() {
  const nowMs = performance.now();
  // Everything due by now goes out now (a late timer sends a small burst, each with its own due time).
  while (sent < total && startMs + sent * intervalMs <= nowMs) {
    void send(startMs + sent * intervalMs);
    sent++;
  }
  if (sent < total) setTimeout(tick, Math.max(0, Math.min(intervalMs, startMs + sent * intervalMs - nowMs)));
}
tick();

const deadlineMs = startMs + durationS * 1000 + 30_000;
const wait = setInterval(() => {
  if (finished < total && performance.now() < deadlineMs) return;
  clearInterval(wait);
  const elapsedS = (performance.now() - startMs) / 1000;
  void pool.close().finally(() => {
    parentPort.postMessage({ latenciesMs, statuses, errors: errors + (total - finished), elapsedS, sent });
  });
}, 50);
