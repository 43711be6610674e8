import { z } from 'zod';
import type { TradingControlService } from '../../../application/control/tradingControlService';
import type { TradingControlState } from '../../../domain/control';
import { actorOf } from '../auth/principal';
import { principalOf, requireRole } from '../auth/authenticate';
import { typed, type AppServer } from '../buildServer';
import { errorEnvelopeSchema } from '../httpErrors';

const killSwitchSchema = z.object({
  engaged: z.boolean(),
  reason: z.string().nullable().describe('why it was last engaged or released'),
  changedBy: z.string().nullable(),
  changedAt: z.string().nullable(),
});
const marketsSchema = z.object({
  allowed: z.array(z.string()),
  updatedAt: z.string().nullable().describe('the last change of the trading-control stream'),
});
const reason = z.string().min(1).max(1000).describe('why (recorded with who and when)');
const errors = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  409: errorEnvelopeSchema,
  422: errorEnvelopeSchema,
  503: errorEnvelopeSchema,
};

function killSwitchView(state: TradingControlState) {
  return { ...state.killSwitch };
}

/** GET|PUT /v1/ops/kill-switch and GET|PUT /v1/ops/markets (ops only; every change is an audited event). */
export function registerTradingControlRoutes(server: AppServer, control: TradingControlService): void {
  const app = typed(server);
  const opsOnly = requireRole('ops');

  app.get(
    '/v1/ops/kill-switch',
    {
      preValidation: opsOnly,
      schema: { tags: ['ops'], summary: 'The kill switch', response: { 200: killSwitchSchema, ...errors } },
    },
    async () => killSwitchView(await control.read()),
  );

  app.put(
    '/v1/ops/kill-switch',
    {
      preValidation: opsOnly,
      schema: {
        tags: ['ops'],
        summary:
          'Engage or release the kill switch: it stops the very next submission (reconciliation goes on)',
        body: z.strictObject({ engaged: z.boolean(), reason }),
        response: { 200: killSwitchSchema.extend({ changed: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(principalOf(request));
      const { engaged, reason: why } = request.body;
      const result = await control.execute({
        type: engaged ? 'EngageKillSwitch' : 'ReleaseKillSwitch',
        actor,
        reason: why,
      });
      request.log.warn({ engaged, actor, changed: result.changed }, 'kill switch set');
      return { ...killSwitchView(result.state), changed: result.changed };
    },
  );

  app.get(
    '/v1/ops/markets',
    {
      preValidation: opsOnly,
      schema: { tags: ['ops'], summary: 'The market allowlist', response: { 200: marketsSchema, ...errors } },
    },
    async () => {
      const state = await control.read();
      return { allowed: [...state.allowedMarkets], updatedAt: state.updatedAt };
    },
  );

  app.put(
    '/v1/ops/markets',
    {
      preValidation: opsOnly,
      schema: {
        tags: ['ops'],
        summary: 'Replace the market allowlist (EUR markets only)',
        body: z.strictObject({ allowed: z.array(z.string().max(40)).max(500), reason }),
        response: { 200: marketsSchema.extend({ changed: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const result = await control.execute({
        type: 'ChangeMarketAllowlist',
        allowed: request.body.allowed,
        actor: actorOf(principalOf(request)),
        reason: request.body.reason,
      });
      return {
        allowed: [...result.state.allowedMarkets],
        updatedAt: result.state.updatedAt,
        changed: result.changed,
      };
    },
  );
}
