import { isOpen, type SimOrder } from './simOrder';

export type OrderRef = { readonly orderId?: string | undefined; readonly clientOrderId?: string | undefined };

/**
 * Every order the simulator remembers, oldest first, with indexes so that no request scans them all
 * (a soak run keeps 100,000). Beyond `maxStoredOrders` the oldest closed order is forgotten.
 */
export class SimOrderBook {
  private orders: SimOrder[] = [];
  private open = new Set<SimOrder>();
  private byClientOrderId = new Map<string, SimOrder[]>();
  private byOrderId = new Map<string, SimOrder>();

  constructor(private readonly maxStoredOrders: number) {}

  clear(): void {
    this.orders = [];
    this.open = new Set();
    this.byClientOrderId = new Map();
    this.byOrderId = new Map();
  }

  all(): readonly SimOrder[] {
    return this.orders;
  }

  add(order: SimOrder): void {
    this.orders.push(order);
    this.open.add(order);
    this.byOrderId.set(order.orderId, order);
    if (order.clientOrderId !== undefined) {
      const same = this.byClientOrderId.get(order.clientOrderId);
      if (same) same.push(order);
      else this.byClientOrderId.set(order.clientOrderId, [order]);
    }
    if (this.orders.length <= this.maxStoredOrders) return;
    const index = this.orders.findIndex((o) => !isOpen(o));
    if (index >= 0) this.forget(this.orders.splice(index, 1)[0]!);
  }

  /** The newest order of the market with this reference (a clientOrderId may be used again after a fill). */
  find(market: string, ref: OrderRef): SimOrder | undefined {
    if (ref.clientOrderId === undefined) {
      const order = ref.orderId === undefined ? undefined : this.byOrderId.get(ref.orderId);
      return order?.market === market ? order : undefined;
    }
    return (this.byClientOrderId.get(ref.clientOrderId) ?? []).findLast((order) => order.market === market);
  }

  /** Open orders, oldest first; forgets those that were filled or canceled since. */
  openOrders(market: string | undefined): SimOrder[] {
    const open: SimOrder[] = [];
    for (const order of this.open) {
      if (!isOpen(order)) this.open.delete(order);
      else if (market === undefined || order.market === market) open.push(order);
    }
    return open;
  }

  private forget(order: SimOrder): void {
    this.open.delete(order);
    this.byOrderId.delete(order.orderId);
    if (order.clientOrderId === undefined) return;
    const rest = (this.byClientOrderId.get(order.clientOrderId) ?? []).filter((o) => o !== order);
    if (rest.length > 0) this.byClientOrderId.set(order.clientOrderId, rest);
    else this.byClientOrderId.delete(order.clientOrderId);
  }
}
