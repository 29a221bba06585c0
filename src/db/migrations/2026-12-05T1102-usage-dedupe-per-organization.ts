import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Usage events are de-duplicated per organization: the ledger's key becomes (organization_id, event_id),
// so an id one organization used no longer makes another organization's event a duplicate. Every row
// stays as it is (each already names its organization), so existing counts and ids are untouched.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table usage_event_keys
    drop constraint usage_event_keys_pkey,
    add constraint usage_event_keys_pkey primary key (organization_id, event_id)`.execute(db);
}

// Back to one key per id: where organizations share an id, the first received keeps its ledger row (the
// aggregates keep every count; only a later repeat of the others' id would then be taken as a duplicate).
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from usage_event_keys k using usage_event_keys earlier
    where earlier.event_id = k.event_id
      and (earlier.received_at, earlier.organization_id) < (k.received_at, k.organization_id)`.execute(db);
  await sql`alter table usage_event_keys
    drop constraint usage_event_keys_pkey,
    add constraint usage_event_keys_pkey primary key (event_id)`.execute(db);
}
