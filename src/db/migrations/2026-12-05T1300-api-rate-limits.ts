import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// The API's rate limit shared by every API instance (issue #24): rate-limiter-flexible's Postgres store, one row
// per organization and window (`points` used, `expire` in epoch ms). The columns are the library's own table
// (RateLimiterPostgres), created here instead of by the library at run time; expired rows are deleted hourly by it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table api_rate_limits (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`.execute(db);
  await sql`create index api_rate_limits_expire on api_rate_limits (expire)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table api_rate_limits`.execute(db);
}
