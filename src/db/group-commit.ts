/**
 * Group commit: items submitted while a statement is in flight wait, then go together in the next statement, so
 * Postgres pays one round trip, one plan and one commit (one WAL flush) for many requests instead of one each. Each
 * item's promise settles only after the statement that holds it committed. When a grouped statement fails, each
 * item of the group is written again alone, so one item Postgres refuses cannot fail the others.
 */
export interface GroupCommitOptions<T, R> {
  /** Writes a group in one statement and returns one result per item, in order. */
  write: (group: readonly T[]) => Promise<R[]>;
  /** A group holds items up to this total size (a single larger item still goes, alone). */
  maxSize: number;
  /** An item's share of maxSize; 1 by default. */
  sizeOf?: (item: T) => number;
  /** Statements in flight at once; more items wait for one of them to finish. */
  maxInFlight?: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export type GroupCommit<T, R> = (item: T) => Promise<R>;

export function createGroupCommit<T, R>(opts: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  const sizeOf = opts.sizeOf ?? (() => 1);
  const maxInFlight = opts.maxInFlight ?? 1;
  const waiting: Waiting<T, R>[] = [];
  let inFlight = 0;

  async function commit(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await opts.write(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i] as R));
    } catch (err) {
      if (group.length === 1) {
        group[0]?.reject(err);
        return;
      }
      for (const w of group) {
        try {
          w.resolve((await opts.write([w.item]))[0] as R);
        } catch (alone) {
          w.reject(alone);
        }
      }
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const group: Waiting<T, R>[] = [];
      let size = 0;
      while (waiting.length > 0) {
        const next = waiting[0] as Waiting<T, R>;
        if (group.length > 0 && size + sizeOf(next.item) > opts.maxSize) break;
        group.push(next);
        size += sizeOf(next.item);
        waiting.shift();
      }
      inFlight++;
      void commit(group).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}
