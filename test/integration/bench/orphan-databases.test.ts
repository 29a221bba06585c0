import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { dropOrphanedRunDatabases, keptComment, ownerComment } from '../../../bench/scale/orphans';
import { createDb, type Db } from '../../../src/db/database';
import { TEST_DATABASE_URL } from '../../helpers/db';

// Real databases on the test cluster, named as a run's would be (the billing role may create them: the benches do).
let admin: Db;
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const names = {
  dead: `billing_scale_t_dead_${suffix}`,
  running: `billing_scale_t_running_${suffix}`,
  kept: `billing_scale_t_kept_${suffix}`,
};

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

async function existing(): Promise<string[]> {
  const { rows } = await sql<{ datname: string }>`
    select datname from pg_database where datname in (${sql.join(Object.values(names))}) order by datname
  `.execute(admin);
  return rows.map((r) => r.datname);
}

beforeAll(async () => {
  admin = createDb({ url: TEST_DATABASE_URL, poolMax: 1 });
  const comments = {
    dead: ownerComment(await deadPid(), hostname()),
    running: ownerComment(process.pid, hostname()),
    kept: keptComment(hostname()),
  };
  for (const key of ['dead', 'running', 'kept'] as const) {
    await sql`create database ${sql.id(names[key])}`.execute(admin);
    await sql`comment on database ${sql.id(names[key])} is ${sql.lit(comments[key])}`.execute(admin);
  }
});

afterAll(async () => {
  for (const name of Object.values(names))
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
});

it("drops the database of a run whose driver is gone, and keeps a running run's and a kept one", async () => {
  const lines: string[] = [];
  const dropped = await dropOrphanedRunDatabases(
    admin,
    (name) => sql`drop database ${sql.id(name)} with (force)`.execute(admin).then(() => undefined),
    (line) => lines.push(line),
  );
  expect(dropped).toContain(names.dead);
  expect(dropped).not.toContain(names.running);
  expect(dropped).not.toContain(names.kept);
  expect(await existing()).toEqual([names.kept, names.running].sort());
  expect(lines).toContain(`dropping ${names.dead}: the run that made it was killed before its end`);
});
