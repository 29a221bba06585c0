import type { Db } from '../../src/db/database';

/** The read-model columns the benchmark's organizations wait on. */
export interface ReadModelRow {
  organizationId: string;
  status: string;
  plan: string;
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  dunningAttempt: number;
}

interface Waiter {
  what: string;
  test: (row: ReadModelRow | undefined) => boolean;
  deadline: number;
  resolve: (row: ReadModelRow) => void;
  reject: (err: Error) => void;
}

/**
 * One poller for every organization: a single query over the read model per tick answers all waiting
 * organizations, instead of a thousand clients polling GET /subscription.
 */
export function createReadModelWatch(db: Db, opts: { timeoutMs: number; intervalMs?: number }) {
  const intervalMs = opts.intervalMs ?? 300;
  const waiters = new Map<string, Waiter[]>();
  const last = new Map<string, ReadModelRow>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  async function poll(): Promise<void> {
    if (polling || waiters.size === 0) return;
    polling = true;
    try {
      const rows = await db
        .selectFrom('subscriptions')
        .select(['organization_id', 'status', 'plan', 'current_period_end', 'cancel_at_period_end', 'dunning_attempt'])
        .where('organization_id', 'in', [...waiters.keys()])
        .execute();
      for (const r of rows) {
        last.set(r.organization_id, {
          organizationId: r.organization_id,
          status: r.status,
          plan: r.plan,
          currentPeriodEnd: r.current_period_end ? new Date(r.current_period_end).getTime() : null,
          cancelAtPeriodEnd: r.cancel_at_period_end,
          dunningAttempt: r.dunning_attempt,
        });
      }
      const now = Date.now();
      for (const [org, list] of waiters) {
        const row = last.get(org);
        const keep = list.filter((w) => {
          if (row && w.test(row)) w.resolve(row);
          else if (now > w.deadline)
            w.reject(
              new Error(
                `${org}: timed out waiting for ${w.what} (read model: ${row ? JSON.stringify(row) : 'no row'})`,
              ),
            );
          else return true;
          return false;
        });
        if (keep.length) waiters.set(org, keep);
        else waiters.delete(org);
      }
    } finally {
      polling = false;
    }
  }

  return {
    /** Resolves with the organization's row once `test` holds for it. */
    until(
      organizationId: string,
      what: string,
      test: (row: ReadModelRow) => boolean,
      timeoutMs = opts.timeoutMs,
    ): Promise<ReadModelRow> {
      return new Promise((resolve, reject) => {
        const list = waiters.get(organizationId) ?? [];
        list.push({
          what,
          test: (row) => row !== undefined && test(row),
          deadline: Date.now() + timeoutMs,
          resolve,
          reject,
        });
        waiters.set(organizationId, list);
      });
    },
    start(): void {
      timer = setInterval(
        () => void poll().catch((err: unknown) => console.error('read-model poll failed:', err)),
        intervalMs,
      );
    },
    stop(): void {
      if (timer) clearInterval(timer);
    },
  };
}
export type ReadModelWatch = ReturnType<typeof createReadModelWatch>;
