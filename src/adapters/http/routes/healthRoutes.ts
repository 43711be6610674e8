import { z } from 'zod';
import type { Readiness } from '../../../application/readiness';
import { typed, type AppServer } from '../buildServer';
import { errorBodySchema } from '../httpErrors';

const READINESS_TIMEOUT_MS = 2_000;

/** GET /healthz (the process is up) and GET /readyz (every readiness check passes). Public. */
export function registerHealthRoutes(server: AppServer, readiness: Readiness): void {
  const app = typed(server);
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Database, event store and exchange reachable, start-up tasks done',
        security: [],
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }),
          503: z.object({ error: errorBodySchema, checks: z.record(z.string(), z.string()) }),
        },
      },
    },
    async (_request, reply) => {
      const report = await readiness.evaluate(READINESS_TIMEOUT_MS);
      if (report.ready) return reply.code(200).send({ status: 'ready' as const, checks: report.checks });
      const failing = Object.entries(report.checks)
        .filter(([, value]) => value !== 'ok')
        .map(([name]) => name);
      return reply.code(503).send({
        error: { code: 'NOT_READY', message: `not ready: ${failing.join(', ')}` },
        checks: report.checks,
      });
    },
  );
}
