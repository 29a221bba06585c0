import { AsyncLocalStorage } from 'node:async_hooks';
import type Stripe from 'stripe';
import { newId } from './ids';
import type { SimState, Store } from './store';

export const API_VERSION = '2026-10-28.endive';

export interface RequestScope {
  requestId: string;
  idempotencyKey: string | null;
}

export type EventListener = (event: Stripe.Event) => void;

/**
 * The simulator's shared context: state, time and the event stream. Resource modules, the billing
 * engine and the webhook dispatcher all work through it instead of module globals.
 */
export class Sim {
  private readonly scope = new AsyncLocalStorage<RequestScope>();
  private readonly listeners: EventListener[] = [];
  private base = 'http://127.0.0.1:12211';

  constructor(
    readonly store: Store,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  get state(): SimState {
    return this.store.state;
  }

  id(prefix: string, length?: number): string {
    return newId(prefix, length);
  }

  /** Wall-clock seconds, for objects that are not on a test clock. */
  realNow(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** Stripe time for a test clock (its frozen time) or real time when there is none. */
  nowOn(testClock: string | null | undefined): number {
    if (!testClock) return this.realNow();
    return this.state.testClocks[testClock]?.frozen_time ?? this.realNow();
  }

  nowForCustomer(customerId: string): number {
    return this.nowOn(clockOfCustomer(this.state, customerId));
  }

  setBaseUrl(url: string): void {
    this.base = url;
  }

  baseUrl(): string {
    return this.base;
  }

  inRequest<T>(scope: RequestScope, fn: () => T): T {
    return this.scope.run(scope, fn);
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Record an event (its object is a snapshot) and hand it to webhook delivery. */
  emit(
    type: Stripe.Event.Type,
    object: object,
    created: number,
    previousAttributes?: Record<string, unknown>,
  ): Stripe.Event {
    const request = this.scope.getStore();
    const event = {
      id: this.id('evt'),
      object: 'event',
      api_version: API_VERSION,
      created,
      data: {
        object: structuredClone(object),
        ...(previousAttributes ? { previous_attributes: structuredClone(previousAttributes) } : {}),
      },
      livemode: false,
      pending_webhooks: 0,
      request: request
        ? { id: request.requestId, idempotency_key: request.idempotencyKey }
        : { id: null, idempotency_key: null },
      type,
    } as Stripe.Event;
    this.state.events[event.id] = event;
    this.store.changed();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Resolve any stored object by id (used by `expand[]`). */
  lookup(id: string): unknown {
    const s = this.state;
    return (
      s.customers[id] ??
      s.paymentMethods[id] ??
      s.invoices[id] ??
      s.subscriptions[id] ??
      s.prices[id] ??
      s.products[id] ??
      s.testClocks[id] ??
      s.events[id] ??
      s.meters[id] ??
      s.paymentIntents[id] ??
      s.setupIntents[id] ??
      s.charges[id] ??
      s.discounts[id] ??
      s.promotionCodes[id] ??
      s.coupons[id] ??
      undefined
    );
  }
}

export function clockOfCustomer(state: SimState, customerId: string): string | null {
  const clock = state.customers[customerId]?.test_clock;
  return typeof clock === 'string' ? clock : null;
}

/** Top-level keys whose values changed, with their old values: Stripe's `previous_attributes`. */
export function previousAttributes(before: object, after: object): Record<string, unknown> {
  const prev: Record<string, unknown> = {};
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (JSON.stringify(b[key]) !== JSON.stringify(a[key])) prev[key] = b[key] ?? null;
  }
  return prev;
}
