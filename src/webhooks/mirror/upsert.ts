import { preparedQuery, type Db, type PreparedStatement } from '../../db/database';

/** A read-model upsert guarded by observation time: one row, or a relay batch's rows in one statement. */
export interface MirrorUpsert<R> {
  /** True when the row was inserted or updated (not older than what is stored). */
  one(db: Db, row: R): Promise<boolean>;
  /**
   * Several observations in `created` order in one statement. Of the rows for one id only the one
   * that would win when applied in order is sent (`replaces` mirrors the statement's guard).
   */
  many(db: Db, rows: readonly R[]): Promise<void>;
}

/**
 * Builds both statements from one description: the columns (organization and key first; the rest
 * are updated on conflict) with their Postgres types, the guard deciding whether a conflicting row
 * is replaced, and the same guard in JavaScript. Named prepared statements: the relay runs them for
 * every invoice and payment-method event (no query building per event, parsed and planned once per connection).
 */
export function mirrorUpsert<R>(spec: {
  name: string;
  table: string;
  columns: readonly (readonly [keyof R & string, string])[];
  guard: string;
  replaces: (held: R, next: R) => boolean;
}): MirrorUpsert<R> {
  const names = spec.columns.map(([c]) => c);
  const key = names[1] as keyof R & string;
  const upsert = (source: string) => `insert into ${spec.table} (${names.join(', ')})
    ${source}
    on conflict (${key}) do update set
      ${names.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now()
    where ${spec.guard}
    returning ${key}`;
  const single: PreparedStatement = { name: `${spec.name}_v1`, text: upsert(`values (${names.map((_, i) => `$${i + 1}`).join(', ')})`) };
  const batch: PreparedStatement = {
    name: `${spec.name}s_v1`,
    text: upsert(`select * from unnest(${spec.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`),
  };
  const one = async (db: Db, row: R) => (await preparedQuery(db, single, names.map((c) => row[c] ?? null))).length > 0;
  return {
    one,
    async many(db, rows) {
      const winners = new Map<unknown, R>();
      for (const row of rows) {
        const held = winners.get(row[key]);
        if (held === undefined || spec.replaces(held, row)) winners.set(row[key], row);
      }
      const sent = [...winners.values()];
      if (sent.length === 1) await one(db, sent[0] as R);
      else if (sent.length > 1) await preparedQuery(db, batch, names.map((c) => sent.map((row) => row[c] ?? null)));
    },
  };
}
