import { sql } from 'kysely';
import { preparedQuery, type Db, type PreparedStatement } from '../db/database';
import { createGroupCommit, type GroupCommit } from '../db/group-commit';
import { customerIdOf, organizationFromMetadata, type InboundEvent } from './stripe-event';
import { UnstorablePayload, storablePayload } from './storable-payload';

// The webhook inbox (stripe_events): the endpoint stores each verified event, the relay claims due
// events in Stripe's `created` order per organization and records how it left them.

export interface StoreResult {
  /** False when the event id was already in the inbox: a redelivery, acknowledged and otherwise ignored. */
  inserted: boolean;
}

/** One verified delivery's row, as the endpoint stores it. */
interface InboxRow {
  id: string;
  type: string;
  apiVersion: string | null;
  livemode: boolean;
  created: number;
  objectId: string | null;
  /** From Stripe metadata; failing that the billing customer's organization is looked up by customerId. */
  metadataOrganization: string | null;
  customerId: string | null;
  payload: string;
}

/**
 * Every delivery runs this, so it is a named prepared statement (parsed and planned once per connection) and its
 * values are arrays: deliveries that arrive while one statement is in flight go together in the next (group
 * commit), so a burst pays one round trip and one commit per group instead of one per delivery. The organization
 * is the one in Stripe metadata or, failing that, the billing customer's, in the same statement; with neither it is
 * null and the relay tries again later.
 */
// Raw: a named prepared statement is its text (the builder would compile it again on every group).
const STORE_EVENTS: PreparedStatement = {
  name: 'webhooks_store_events_v3',
  text: `insert into stripe_events (id, type, api_version, livemode, stripe_created_at, object_id, organization_id, payload)
    select r.id, r.type, r.api_version, r.livemode, to_timestamp(r.created), r.object_id,
           coalesce(r.metadata_org, (select organization_id from billing_customers where stripe_customer_id = r.customer_id)),
           p.payload
    from unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::bigint[], $6::text[], $7::text[], $8::text[])
        with ordinality as r(id, type, api_version, livemode, created, object_id, metadata_org, customer_id, n)
      join jsonb_array_elements($9::jsonb) with ordinality as p(payload, n) using (n)
    on conflict (id) do nothing
    returning id`,
};

/** Deliveries per statement at most (a group's payloads travel together; Stripe's events are a few KiB). */
const MAX_DELIVERIES_PER_STATEMENT = 200;

/**
 * Writes a group in one autocommitted statement. An id that appears twice in the group (a redelivery racing the
 * first delivery) goes in once, for the first; the later one reports a duplicate, as if it had come after.
 */
async function insertGroup(db: Db, group: readonly InboxRow[]): Promise<boolean[]> {
  const first = new Map<string, number>();
  const rows: InboxRow[] = [];
  group.forEach((row, i) => {
    if (first.has(row.id)) return;
    first.set(row.id, i);
    rows.push(row);
  });
  const inserted = new Set(
    (
      await preparedQuery<{ id: string }>(db, STORE_EVENTS, [
        rows.map((r) => r.id),
        rows.map((r) => r.type),
        rows.map((r) => r.apiVersion),
        rows.map((r) => r.livemode),
        rows.map((r) => r.created),
        rows.map((r) => r.objectId),
        rows.map((r) => r.metadataOrganization),
        rows.map((r) => r.customerId),
        // The bodies as one JSON array (each is a JSON value the endpoint parsed): a text[] element would be escaped
        // here and unescaped by Postgres, which cost a lone delivery 40 % more Postgres CPU than a plain insert.
        `[${rows.map((r) => r.payload).join(',')}]`,
      ])
    ).map((r) => r.id),
  );
  return group.map((row, i) => first.get(row.id) === i && inserted.has(row.id));
}

/** Two statements in flight: while one commits (its WAL flush), the next group is already on its way. */
const inserters = new WeakMap<Db, GroupCommit<InboxRow, boolean>>();

function inserterFor(db: Db): GroupCommit<InboxRow, boolean> {
  let inserter = inserters.get(db);
  if (!inserter) {
    inserter = createGroupCommit({
      write: (group) => insertGroup(db, group),
      maxSize: MAX_DELIVERIES_PER_STATEMENT,
      maxInFlight: 2,
    });
    inserters.set(db, inserter);
  }
  return inserter;
}

/**
 * Postgres refused the values themselves (SQLSTATE class 22, data exception: NUL or an unpaired
 * surrogate in jsonb, a number beyond numeric; class 54, program limit: nesting too deep for its parser).
 */
const isRefusedValue = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
};

/**
 * Stores a verified event, keyed by its Stripe id. It settles once the statement holding it committed: the row
 * is durable and the 2xx may go out. The exact body is stored; when Postgres refuses it (nothing of it was
 * written; the rest of its group is written alone), a cleaned copy of the parsed event is
 * (src/webhooks/storable-payload.ts), and an event even that cannot hold is an UnstorablePayload, which the
 * endpoint answers with a 400.
 */
export async function storeEvent(db: Db, event: InboundEvent, rawBody: string): Promise<StoreResult> {
  const metadataOrganization = organizationFromMetadata(event);
  const row = (payload: string): InboxRow => ({
    id: event.id,
    type: event.type,
    apiVersion: event.api_version ?? null,
    livemode: event.livemode,
    created: event.created,
    objectId: event.data.object.id ?? null,
    metadataOrganization,
    customerId: metadataOrganization === null ? customerIdOf(event) : null,
    payload,
  });
  const insert = inserterFor(db);
  try {
    return { inserted: await insert(row(rawBody)) };
  } catch (err) {
    if (!isRefusedValue(err)) throw err;
  }
  try {
    return { inserted: await insert(row(storablePayload(event))) };
  } catch (again) {
    if (!isRefusedValue(again)) throw again;
    throw new UnstorablePayload('Postgres cannot store this event');
  }
}

export interface ClaimedEvent {
  id: string;
  type: string;
  object_id: string | null;
  organization_id: string | null;
  stripe_created_at: Date;
  payload: unknown;
  relay_attempts: number;
  received_at: Date;
}

/**
 * The claim as one statement (claimDueEvents runs it; a test reads its plan). Its walk in `created` order can use
 * only stripe_events_pending_in_order: an ordered index on every event's `created` would let stale statistics send
 * it through every settled event (migration 2026-12-06T2200).
 */
export function claimStatement(opts: { limit: number; leaseSeconds: number; settleMs?: number }) {
  // Raw: a row-value comparison inside `not exists` and make_interval's named argument, which the builder does not express.
  return sql<ClaimedEvent>`
    update stripe_events set next_attempt_at = now() + make_interval(secs => ${opts.leaseSeconds})
    where id in (
      select e.id from stripe_events e
      where e.relay_status = 'pending' and e.next_attempt_at <= now()
        and e.received_at <= now() - make_interval(secs => ${(opts.settleMs ?? 0) / 1000})
        and not exists (
          select 1 from stripe_events earlier
          where earlier.relay_status = 'pending' and earlier.organization_id = e.organization_id
            and (earlier.stripe_created_at, earlier.id) < (e.stripe_created_at, e.id))
      order by e.stripe_created_at, e.id
      limit ${opts.limit}
      for update skip locked)
    returning id, type, object_id, organization_id, stripe_created_at, payload, relay_attempts, received_at`;
}

/**
 * Leases due events: pushing next_attempt_at forward hides them from other relay instances
 * (SKIP LOCKED covers the race of the claim itself), and a crash mid-relay only delays them by
 * the lease. An organization's event waits while an earlier one of the same organization is
 * still pending, so a workflow sees its events in Stripe's `created` order (one per claim). The walk
 * follows stripe_events_pending_in_order and stops after `limit` rows, however many were relayed before.
 * A head stored less than `settleMs` ago waits for a later claim, so a burst still arriving goes out whole.
 */
export async function claimDueEvents(
  db: Db,
  opts: { limit: number; leaseSeconds: number; settleMs?: number },
): Promise<ClaimedEvent[]> {
  const { rows } = await claimStatement(opts).execute(db);
  return rows.sort((a, b) => a.stripe_created_at.getTime() - b.stripe_created_at.getTime() || a.id.localeCompare(b.id));
}

/**
 * Leases the pending events that follow each claimed head in its organization's `created` order
 * (at most `perOrganization` - 1 each), so one organization's run goes out as one signal. No
 * other relay can hold them: while a head is pending, later events of its organization are never
 * claimable, by this query or claimDueEvents. Returned in `created` order. A head that has failed
 * before goes alone: a run fails as a whole, and an event that cannot be relayed must not carry
 * its followers' attempts towards the dead letter with it.
 */
export async function claimFollowers(
  db: Db,
  heads: readonly ClaimedEvent[],
  opts: { perOrganization: number; leaseSeconds: number },
): Promise<ClaimedEvent[]> {
  const organizations = [
    ...new Set(heads.flatMap((h) => (h.organization_id === null || h.relay_attempts > 0 ? [] : [h.organization_id]))),
  ];
  if (organizations.length === 0 || opts.perOrganization <= 1) return [];
  // Raw: make_interval's named argument and an update from a windowed subquery, which the builder does not express.
  const { rows } = await sql<ClaimedEvent>`
    update stripe_events e set next_attempt_at = now() + make_interval(secs => ${opts.leaseSeconds})
    from (
      select id from (
        select f.id, row_number() over (partition by f.organization_id order by f.stripe_created_at, f.id) as n
        from stripe_events f
        where f.relay_status = 'pending' and f.organization_id = any(${organizations}::text[]) and f.id <> all(${heads.map((h) => h.id)}::text[])
      ) ranked where n < ${opts.perOrganization}
    ) followers
    where e.id = followers.id
    returning e.id, e.type, e.object_id, e.organization_id, e.stripe_created_at, e.payload, e.relay_attempts, e.received_at`.execute(
    db,
  );
  return rows.sort((a, b) => a.stripe_created_at.getTime() - b.stripe_created_at.getTime() || a.id.localeCompare(b.id));
}

/**
 * How the relay left one claimed event: settled (relayed or ignored with the reason), due again after
 * a delay, or parked as dead-lettered with its error after its last allowed attempt.
 */
export type RelayOutcome =
  | { id: string; status: 'relayed'; organizationId: string }
  | { id: string; status: 'ignored'; reason: string; organizationId: string | null }
  | { id: string; status: 'retry'; error: string; delayMs: number }
  | { id: string; status: 'dead_lettered'; error: string };

const MAX_ERROR_LENGTH = 2000;

/**
 * Records a claimed batch's outcomes in at most two statements (one for the settled events, one
 * for the retries) instead of one round trip per event. An ignored event is kept in the inbox with
 * its reason, so an operator can see why and re-drive it later; a retry counts the attempt and
 * hides the event until its backoff has passed.
 */
export async function recordOutcomes(db: Db, outcomes: readonly RelayOutcome[]): Promise<void> {
  const settled = outcomes.filter((o) => o.status === 'relayed' || o.status === 'ignored');
  const retries = outcomes.filter((o) => o.status === 'retry');
  const deadLettered = outcomes.filter((o) => o.status === 'dead_lettered');
  const statements: Promise<unknown>[] = [];
  // Raw: `from unnest(...) as s(id, …)` (a column alias list on a set-returning function) has no builder form.
  if (settled.length > 0) {
    statements.push(
      sql`
      update stripe_events e set relay_status = s.status, relayed_at = now(), organization_id = s.organization_id, last_error = s.last_error
      from unnest(${settled.map((o) => o.id)}::text[], ${settled.map((o) => o.status)}::text[],
                  ${settled.map((o) => o.organizationId)}::text[], ${settled.map((o) => (o.status === 'ignored' ? `ignored: ${o.reason}` : null))}::text[])
        as s(id, status, organization_id, last_error)
      where e.id = s.id`.execute(db),
    );
  }
  if (retries.length > 0) {
    statements.push(
      sql`
      update stripe_events e set relay_attempts = e.relay_attempts + 1,
        next_attempt_at = now() + make_interval(secs => r.delay_ms / 1000.0), last_error = r.error
      from unnest(${retries.map((o) => o.id)}::text[], ${retries.map((o) => o.error.slice(0, MAX_ERROR_LENGTH))}::text[], ${retries.map((o) => o.delayMs)}::float8[])
        as r(id, error, delay_ms)
      where e.id = r.id`.execute(db),
    );
  }
  if (deadLettered.length > 0) {
    statements.push(
      sql`
      update stripe_events e set relay_status = 'dead_lettered', relay_attempts = e.relay_attempts + 1,
        dead_lettered_at = now(), last_error = d.error
      from unnest(${deadLettered.map((o) => o.id)}::text[], ${deadLettered.map((o) => o.error.slice(0, MAX_ERROR_LENGTH))}::text[])
        as d(id, error)
      where e.id = d.id`.execute(db),
    );
  }
  await Promise.all(statements);
}

export interface RedriveFilter {
  from: Date;
  to: Date;
  type?: string;
  /** Only the events the relay gave up on. */
  deadLetteredOnly?: boolean;
}

/** Makes stored events (by Stripe `created`, half-open range) due again, whatever happened to them before. */
export async function redriveEvents(db: Db, filter: RedriveFilter): Promise<number> {
  let query = db
    .updateTable('stripe_events')
    .set({
      relay_status: 'pending',
      relay_attempts: 0,
      next_attempt_at: sql`now()`,
      relayed_at: null,
      last_error: null,
      dead_lettered_at: null,
    })
    .where('stripe_created_at', '>=', filter.from)
    .where('stripe_created_at', '<', filter.to);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.deadLetteredOnly) query = query.where('relay_status', '=', 'dead_lettered');
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Retention: deletes up to `limit` events the relay settled (relayed or ignored) whose Stripe `created`
 * is more than `retentionDays` ago; returns how many. Pending and dead-lettered events stay. The window
 * is longer than Stripe's three days of redelivery, so a late duplicate still finds its id.
 */
export async function pruneSettledEvents(db: Db, retentionDays: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('stripe_events')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('stripe_events')
        .select('id')
        .where('relay_status', 'in', ['relayed', 'ignored'])
        .where('stripe_created_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays})`)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Stored events the relay gave up on, waiting for redrive-events (a gauge read at scrape time). */
export async function countDeadLetteredEvents(db: Db): Promise<number> {
  const row = await db
    .selectFrom('stripe_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('relay_status', '=', 'dead_lettered')
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Stored events not yet relayed (a gauge read at scrape time). */
export async function countPendingEvents(db: Db): Promise<number> {
  const row = await db
    .selectFrom('stripe_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('relay_status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return row.n;
}
