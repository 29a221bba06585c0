import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { sql } from 'kysely';
import { ERROR_STATUS } from '../../../../src/api/errors';
import type { Db } from '../../../../src/db/database';
import { subscriptionWorkflowId } from '../../../../src/workflows/messages';
import type { SweepResponse } from './http';

/** Row count of every table in the suite's schema (partitions included), in one statement. */
export async function rowCounts(db: Db, schema: string): Promise<Record<string, number>> {
  const tables = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = ${schema} order by 1`.execute(db);
  if (tables.rows.length === 0) return {};
  const parts = tables.rows.map(
    ({ name }) => sql`select ${name}::text as name, count(*)::int as n from ${sql.id(schema, name)}`,
  );
  const counts = await sql<{ name: string; n: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(counts.rows.map((r) => [r.name, r.n]));
}

/** Organizations whose subscription workflow exists in Temporal (none should, after a sweep). */
export async function organizationsWithWorkflows(
  temporal: Client,
  organizations: readonly string[],
): Promise<string[]> {
  const found: string[] = [];
  for (const org of organizations) {
    try {
      await temporal.workflow.getHandle(subscriptionWorkflowId(org)).describe();
      found.push(org);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return found;
}

const ERROR_STATUS_OF: Record<string, number> = ERROR_STATUS;

/**
 * What is wrong with an error answer, or null: the one envelope, a code from the closed list whose
 * status matches, the request id of the X-Request-Id header, and no internals in the message.
 */
export function envelopeProblem(res: SweepResponse): string | null {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return `the body is not JSON: ${JSON.stringify(res.text.slice(0, 200))}`;
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return `no error envelope: ${res.text.slice(0, 200)}`;
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'requestId', 'details'].includes(k));
  if (extra.length || Object.keys(body as object).length !== 1)
    return `unexpected envelope keys: ${res.text.slice(0, 200)}`;
  if (typeof error.code !== 'string' || ERROR_STATUS_OF[error.code] === undefined)
    return `unknown error code ${String(error.code)}`;
  if (ERROR_STATUS_OF[error.code] !== res.status) return `code ${error.code} answered with status ${res.status}`;
  if (typeof error.message !== 'string' || error.message === '') return 'no message';
  if (/\n\s+at |node_modules|\bselect\b.*\bfrom\b|violates|syntax error at/i.test(error.message))
    return `internals in the message: ${error.message}`;
  if (typeof error.requestId !== 'string' || error.requestId !== res.headers['x-request-id'])
    return `requestId ${String(error.requestId)} is not the X-Request-Id header`;
  return null;
}
