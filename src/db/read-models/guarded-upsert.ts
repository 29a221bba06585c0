import { preparedQuery, type Db, type PreparedStatement } from '../database';

/** A read-model upsert guarded by observation order: one row, or a relay batch's rows. */
export interface GuardedUpsert<R> {
  /** True when the row was inserted or updated (not older than what is stored). */
  one(db: Db, row: R): Promise<boolean>;
  /** Several observations in `created` order, with the end state applying them one by one gives. */
  many(db: Db, rows: readonly R[]): Promise<void>;
}

/**
 * Builds both statements from one description: the columns (organization and key first; the rest
 * are updated on conflict) with their Postgres types, and the guard (SQL over the stored row and
 * `excluded`) deciding whether a conflicting row is replaced. The guard is the only statement of the
 * ordering rule. Named prepared statements: the relay runs them for every invoice and payment-method
 * event (no query building per event, parsed and planned once per connection).
 */
export function guardedUpsert<R>(spec: {
  name: string;
  table: string;
  columns: readonly (readonly [keyof R & string, string])[];
  guard: string;
}): GuardedUpsert<R> {
  const names = spec.columns.map(([c]) => c);
  const key = names[1] as keyof R & string;
  const upsert = (source: string) => `insert into ${spec.table} (${names.join(', ')})
    ${source}
    on conflict (${key}) do update set
      ${names
        .slice(2)
        .map((c) => `${c} = excluded.${c}`)
        .join(', ')}, updated_at = now()
    where ${spec.guard}
    returning ${key}`;
  const single: PreparedStatement = {
    name: `${spec.name}_v1`,
    text: upsert(`values (${names.map((_, i) => `$${i + 1}`).join(', ')})`),
  };
  const batch: PreparedStatement = {
    name: `${spec.name}s_v1`,
    text: upsert(`select * from unnest(${spec.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`),
  };
  const one = async (db: Db, row: R) =>
    (
      await preparedQuery(
        db,
        single,
        names.map((c) => row[c] ?? null),
      )
    ).length > 0;
  return {
    one,
    async many(db, rows) {
      // One statement cannot touch a row twice, so a batch goes in rounds (each id's first observation,
      // then each id's second, …), and the guard decides between them as between events relayed one by one.
      const rounds: R[][] = [];
      const seen = new Map<unknown, number>();
      for (const row of rows) {
        const round = seen.get(row[key]) ?? 0;
        seen.set(row[key], round + 1);
        (rounds[round] ??= []).push(row);
      }
      for (const round of rounds) {
        if (round.length === 1) await one(db, round[0] as R);
        else
          await preparedQuery(
            db,
            batch,
            names.map((c) => round.map((row) => row[c] ?? null)),
          );
      }
    },
  };
}
