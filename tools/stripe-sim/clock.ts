import { advanceTime } from './billing/engine';
import type { Sim } from './sim';

/**
 * Drives simulated time. Customers on no test clock live in real time: a ticker moves their
 * subscriptions through trial ends and renewals as wall-clock time passes. Test clocks advance on
 * request, asynchronously like Stripe's (`advancing` → `ready`).
 */
export class TimeKeeper {
  private ticker: NodeJS.Timeout | undefined;
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(
    private readonly sim: Sim,
    private readonly tickMs: number,
  ) {}

  start(): void {
    this.tick();
    this.ticker = setInterval(() => this.tick(), this.tickMs);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  tick(): void {
    try {
      advanceTime(this.sim, null, this.sim.realNow());
    } catch (error) {
      console.error('stripe-sim: real-time tick failed', error);
    }
  }

  /** Called after the advance request returned `advancing`; processing happens on the next turn. */
  advanceClock(clockId: string, target: number): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      const clock = this.sim.state.testClocks[clockId];
      if (!clock) return;
      try {
        advanceTime(this.sim, clockId, target);
        clock.frozen_time = target;
        clock.status = 'ready';
        clock.status_details = {};
        this.sim.emit('test_helpers.test_clock.ready', clock, target);
      } catch (error) {
        console.error('stripe-sim: test clock advance failed', error);
        clock.status = 'internal_failure';
        this.sim.emit('test_helpers.test_clock.internal_failure', clock, clock.frozen_time);
      }
      this.sim.store.changed();
    }, 0);
    this.pending.add(timer);
  }
}
