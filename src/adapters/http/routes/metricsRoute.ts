import type { LedgerMetrics } from '../../metrics/ledgerMetrics';
import { requireRole } from '../auth/authenticate';
import type { AppServer } from '../buildServer';

/** Map a POST /v1/executions answer to the outcome label of `ledger_submissions_total`. */
export function submissionOutcome(statusCode: number, payload: unknown): string {
  switch (statusCode) {
    case 201:
      return 'created';
    case 200:
      return 'replayed';
    case 202:
      return 'pending';
    case 409:
      return 'key_reused';
    case 400:
      return 'invalid';
    case 503:
      return 'unavailable';
    case 422: {
      // A HARD exchange refusal or an abandoned execution is a failure; anything else a gate.
      const text = typeof payload === 'string' ? payload : '';
      return /"code":"(EXCHANGE_REJECTED|EXECUTION_ABANDONED)"/.test(text) ? 'failed' : 'rejected';
    }
    default:
      return statusCode >= 500 ? 'error' : 'other';
  }
}

/**
 * GET /metrics in Prometheus text format. Access: an ops API key (`Authorization: Bearer <key>`,
 * Prometheus' `authorization` scrape setting), like every other ops route; it is not public even on
 * loopback, because a reverse proxy on the same host would make "loopback only" mean "everyone".
 * Also counts POST /v1/executions outcomes for `ledger_submissions_total`.
 */
export function registerMetricsRoute(server: AppServer, metrics: LedgerMetrics): void {
  server.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'POST' && request.routeOptions.url === '/v1/executions') {
      metrics.submissions.inc({ outcome: submissionOutcome(reply.statusCode, payload) });
    }
    return payload;
  });
  server.get(
    '/metrics',
    {
      preValidation: requireRole('ops'),
      schema: { tags: ['ops'], summary: 'Prometheus metrics (ops key)', produces: ['text/plain'] },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    },
  );
}
