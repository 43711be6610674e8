import { orUnavailable } from '../../../application/errors';
import { errorEnvelopeSchema } from '../httpErrors';
import { requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { dashboardSchema } from '../dashboard/dashboardSchema';
import { dashboardReader, type DashboardSources } from '../dashboard/readDashboard';

/**
 * `GET /v1/ops/dashboard` (ops): everything the operations page shows, in one read. The page's
 * actions use the existing ops routes (kill switch, reconcile, promotions); this route only reads.
 */
export function registerDashboardRoutes(server: AppServer, sources: DashboardSources): void {
  const read = dashboardReader(sources);
  typed(server).get(
    '/v1/ops/dashboard',
    {
      preValidation: requireRole('ops'),
      schema: {
        tags: ['ops'],
        summary: 'Operations dashboard snapshot',
        description:
          'Kill switch, invariants, executions per hour (48 h) by outcome, recovery rate against its 5 % ' +
          'threshold, SUBMITTING executions, promotion queue, jobs, projection lag, exchange latency and ' +
          'rate-limit budget. Read by GET /ops every few seconds.',
        response: {
          200: dashboardSchema,
          401: errorEnvelopeSchema,
          403: errorEnvelopeSchema,
          503: errorEnvelopeSchema,
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return orUnavailable(read);
    },
  );
}
