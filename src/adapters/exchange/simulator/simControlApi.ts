import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { SimFaults } from './SimFaults';
import { faultsBodySchema } from './SimFaults';
import type { SimulatedExchange } from './SimulatedExchange';
import { isSimError } from './simError';
import { toBitvavoOrder } from './simOrder';
import type { RouteAnswer } from './simRoutes';

export interface ControlContext {
  readonly method: string;
  /** Below `/_sim`, e.g. `/faults`. */
  readonly endpoint: string;
  readonly bodyText: string;
  readonly nowMs: number;
  readonly exchange: SimulatedExchange;
  readonly faults: SimFaults;
  /** Resets everything that is not the exchange's books (rate-limit windows, bans, faults, drift). */
  readonly resetRest: () => void;
}

const decimalInput = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal'));
const priceBodySchema = z.strictObject({ market: z.string().min(1), price: decimalInput });
const balanceBodySchema = z.strictObject({ symbol: z.string().min(1).max(20), available: decimalInput });

const bad = (error: string): RouteAnswer => ({ status: 400, body: { errorCode: 205, error } });

function parseBody<T>(
  schema: z.ZodType<T>,
  bodyText: string,
): { ok: true; value: T } | { ok: false; answer: RouteAnswer } {
  let json: unknown;
  try {
    json = bodyText === '' ? {} : JSON.parse(bodyText);
  } catch {
    return {
      ok: false,
      answer: { status: 400, body: { errorCode: 102, error: 'The JSON object you sent is invalid.' } },
    };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return { ok: false, answer: bad(problem) };
}

/**
 * The `/_sim/` control API (no auth; loopback only): script faults, move prices, set balances,
 * list every order ever placed, reset.
 */
export function handleControl(ctx: ControlContext): RouteAnswer {
  const route = `${ctx.method} ${ctx.endpoint}`;
  switch (route) {
    case 'POST /faults': {
      const body = parseBody(faultsBodySchema, ctx.bodyText);
      if (!body.ok) return body.answer;
      const queued = ctx.faults.enqueue(body.value.faults);
      return queued === undefined ? bad('fault queue is full') : { status: 200, body: { queued } };
    }
    case 'POST /price': {
      const body = parseBody(priceBodySchema, ctx.bodyText);
      if (!body.ok) return body.answer;
      const filled = ctx.exchange.setPrice(body.value.market, new Decimal(body.value.price), ctx.nowMs);
      if (isSimError(filled))
        return { status: filled.status, body: { errorCode: filled.errorCode, error: filled.error } };
      return {
        status: 200,
        body: {
          market: body.value.market,
          price: body.value.price,
          filledOrderIds: filled.map((o) => o.orderId),
        },
      };
    }
    case 'POST /balance': {
      const body = parseBody(balanceBodySchema, ctx.bodyText);
      if (!body.ok) return body.answer;
      ctx.exchange.setBalance(body.value.symbol, new Decimal(body.value.available));
      return { status: 200, body: ctx.exchange.balanceList(body.value.symbol)[0] };
    }
    case 'GET /orders':
      return { status: 200, body: { orders: ctx.exchange.allOrders().map(toBitvavoOrder) } };
    case 'POST /reset':
      ctx.exchange.reset();
      ctx.resetRest();
      return { status: 200, body: { reset: true } };
    default:
      return { status: 404, body: { errorCode: 110, error: `unknown control endpoint ${route}` } };
  }
}
