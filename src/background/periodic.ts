import type { BackgroundService } from './service';

export interface PeriodicService extends BackgroundService {
  /** Something is due now: run the next round at once instead of after the interval. */
  nudge(): void;
}

export interface PeriodicOptions {
  name: string;
  /** Pause between rounds; a round that reports more due is followed at once. */
  intervalMs: number;
  /** One pass of the work; `moreDue` (a full batch) skips the pause. */
  round: () => Promise<{ moreDue: boolean } | void>;
  /** A failing round is reported here and the loop carries on after the pause: a database blip never stops it. */
  onError: (err: unknown) => void;
}

/**
 * The one idiom for in-process periodic work: a round, then a pause of `intervalMs` (cut short by a
 * nudge or skipped when the round says more is due), until stopped. The first round runs at start.
 * Rounds never overlap, so a slow round delays the next instead of piling up as a timer would.
 */
export function createPeriodic(opts: PeriodicOptions): PeriodicService {
  let running: Promise<void> | undefined;
  let stopping = false;
  let nudged = false;
  let wake: (() => void) | undefined;

  const pause = () =>
    new Promise<void>((resolve) => {
      if (nudged || stopping) return resolve();
      const timer = setTimeout(resolve, opts.intervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function loop(): Promise<void> {
    while (!stopping) {
      nudged = false;
      let moreDue = false;
      try {
        moreDue = (await opts.round())?.moreDue ?? false;
      } catch (err) {
        opts.onError(err);
      }
      if (stopping || moreDue) continue;
      await pause();
      wake = undefined;
    }
  }

  return {
    name: opts.name,
    start() {
      if (running) return;
      stopping = false;
      running = loop();
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      running = undefined;
    },
    nudge() {
      nudged = true;
      wake?.();
    },
  };
}
