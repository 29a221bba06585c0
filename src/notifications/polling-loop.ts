export interface PollingLoop {
  start(): void;
  /** Stops polling; resolves after the round in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `round` until stopped, waiting `pollIntervalMs` between rounds unless a round says more is due
 * (a full batch). A failing round is reported and the loop polls again: a database blip never stops it.
 */
export function createPollingLoop(opts: { round: () => Promise<{ moreDue: boolean }>; pollIntervalMs: number; onError: (err: unknown) => void }): PollingLoop {
  let running: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;

  async function loop(): Promise<void> {
    while (!stopping) {
      let moreDue = false;
      try {
        ({ moreDue } = await opts.round());
      } catch (err) {
        opts.onError(err);
      }
      if (stopping || moreDue) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  return {
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
  };
}
