import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import type { Config } from './config';
import { tracingClientInterceptors } from './telemetry/temporal';

/**
 * A lazy connection: the API starts and accepts webhooks even while Temporal is down, and
 * connects on first use.
 */
export function createTemporalClient(config: Config['temporal']): { client: Client; connection: Connection } {
  const connection = Connection.lazy({ ...config.connection });
  const client = new Client({ connection, namespace: config.namespace, interceptors: tracingClientInterceptors() });
  return { client, connection };
}

export async function checkTemporal(connection: ConnectionLike, namespace: string): Promise<void> {
  await connection.workflowService.describeNamespace({ namespace });
}
