import type Stripe from 'stripe';
import type { Sim } from '../sim';
import { signatureHeader } from './signing';
import { WebhookFaults } from './faults';
import { WebhookPoster } from './post';

export interface DeliveryOptions {
  /** First retry after this many ms, doubling each time (Stripe uses hours; tests need seconds). */
  retryBaseMs: number;
  /** Attempts per event and endpoint, including the first. */
  maxAttempts: number;
  /** A receiver slower than this counts as failed, like Stripe's timeout. */
  timeoutMs: number;
  /**
   * Deliveries in flight at once (all endpoints); the rest wait their turn in order. Unset: no bound. Stripe does
   * not document one; a renewal storm needs it here, because the simulator retries 6 times within 31 s where Stripe
   * keeps retrying for three days, so 25,000 events posted at once to one API would fail for good.
   */
  maxInFlight?: number;
}

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  endpoint: string;
  url: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  lastResponse: number | string | null;
}

interface Job {
  event: Stripe.Event;
  endpoint: Stripe.WebhookEndpoint;
  record: DeliveryRecord;
}

/**
 * Signed, retried webhook delivery. Each event goes to every enabled endpoint whose
 * `enabled_events` match, after the API response (deliveries never block a request).
 */
export class WebhookDispatcher {
  readonly faults = new WebhookFaults();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private readonly records: DeliveryRecord[] = [];
  private held: Job[] = [];
  /** Due attempts waiting for a free in-flight slot (maxInFlight), oldest first. */
  private waiting: Job[] = [];
  private readonly poster = new WebhookPoster();
  private closed = false;

  constructor(
    private readonly sim: Sim,
    private readonly options: DeliveryOptions,
  ) {
    sim.onEvent((event) => this.enqueue(event));
  }

  deliveries(): DeliveryRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** True when nothing is waiting to be sent or retried. */
  idle(): boolean {
    return this.timers.size === 0 && this.inflight.size === 0 && this.held.length === 0 && this.waiting.length === 0;
  }

  reset(): void {
    this.cancelAll();
    this.records.length = 0;
    this.faults.clear();
    this.closed = false;
  }

  close(): void {
    this.closed = true;
    this.cancelAll();
    this.poster.close();
  }

  private cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
    this.held = [];
    this.waiting = [];
  }

  private enqueue(event: Stripe.Event): void {
    for (const endpoint of Object.values(this.sim.state.webhookEndpoints)) {
      if (endpoint.status !== 'enabled') continue;
      if (!endpoint.enabled_events.includes('*') && !endpoint.enabled_events.includes(event.type)) continue;
      const record: DeliveryRecord = {
        eventId: event.id,
        eventType: event.type,
        endpoint: endpoint.id,
        url: endpoint.url,
        attempts: 0,
        status: 'pending',
        lastResponse: null,
      };
      this.remember(record);
      event.pending_webhooks += 1;
      this.route({ event, endpoint, record });
    }
  }

  private remember(record: DeliveryRecord): void {
    this.records.push(record);
    if (this.records.length > 5_000) this.records.shift();
  }

  private route(job: Job): void {
    const fault = this.faults.take();
    if (fault?.action === 'drop') {
      job.record.status = 'dropped';
      this.settle(job);
      return;
    }
    if (fault?.action === 'duplicate') {
      // The second delivery has its own record, so the delivery log shows both.
      const copy: DeliveryRecord = { ...job.record };
      this.remember(copy);
      this.later(0, job);
      this.later(0, { ...job, record: copy });
      return;
    }
    if (fault?.action === 'delay') {
      this.later(fault.delayMs, job);
      return;
    }
    if (fault?.action === 'reorder') {
      // Each of the next `count` deliveries takes one unit of the fault; the last one releases them all, newest first.
      this.held.push(job);
      if (fault.count <= 0) this.releaseHeld();
      return;
    }
    this.later(0, job);
  }

  private releaseHeld(): void {
    const jobs = this.held.reverse();
    this.held = [];
    jobs.forEach((job) => this.later(0, job));
  }

  private later(ms: number, job: Job): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.start(job);
    }, ms);
    this.timers.add(timer);
  }

  private start(job: Job): void {
    const { maxInFlight } = this.options;
    if (maxInFlight !== undefined && this.inflight.size >= maxInFlight) this.waiting.push(job);
    else void this.attempt(job);
  }

  /** A slot came free: the oldest waiting attempt takes it. */
  private next(): void {
    const job = this.waiting.shift();
    if (job && !this.closed) void this.attempt(job);
  }

  private async attempt(job: Job): Promise<void> {
    const { event, endpoint, record } = job;
    const payload = JSON.stringify(event, null, 2);
    const secret = endpoint.secret ?? '';
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    this.inflight.add(controller);
    record.attempts += 1;
    try {
      const status = await this.poster.post(
        endpoint.url,
        {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': signatureHeader(payload, secret, Math.floor(Date.now() / 1000)),
        },
        payload,
        controller.signal,
      );
      record.lastResponse = status;
      if (status >= 200 && status < 300) {
        record.status = 'delivered';
        this.settle(job);
        return;
      }
    } catch (error) {
      record.lastResponse = error instanceof Error ? error.name : 'error';
    } finally {
      clearTimeout(timeout);
      this.inflight.delete(controller);
      this.next();
    }
    if (this.closed) return;
    if (record.attempts >= this.options.maxAttempts) {
      record.status = 'failed';
      this.settle(job);
      return;
    }
    this.later(this.options.retryBaseMs * 2 ** (record.attempts - 1), job);
  }

  private settle(job: Job): void {
    const stored = this.sim.state.events[job.event.id];
    if (stored && stored.pending_webhooks > 0) stored.pending_webhooks -= 1;
  }
}
