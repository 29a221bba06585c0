import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { newOrg, subscribe } from './support';

jest.setTimeout(180_000);

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
}, 180_000);
afterAll(async () => {
  if (stack) writeFileSync(path.join(__dirname, '../../.local/logs', 'faults-worker-observability.log'), stack.logs());
  await stack?.close();
});

test('the worker process serves the Temporal SDK’s runtime metrics beside its own, and its probes', async () => {
  expect((await subscribe(stack, newOrg('observed'))).status).toBe(201);
  const base = `http://127.0.0.1:${stack.env.WORKER_METRICS_PORT}`;
  const metrics = await (await fetch(`${base}/metrics`)).text();
  // Task slots, schedule-to-start latency and the sticky cache: what the tuning in docs/deploying.md reads.
  expect(metrics).toMatch(/^temporal_worker_task_slots_available\{.*worker_type="ActivityWorker".*\} \d+/m);
  expect(metrics).toMatch(/^temporal_workflow_task_schedule_to_start_latency_bucket\{/m);
  expect(metrics).toMatch(/^temporal_activity_schedule_to_start_latency_bucket\{/m);
  expect(metrics).toMatch(/^temporal_sticky_cache_size\{/m);
  expect(metrics).toMatch(/^billing_email_deliveries_total|^# HELP billing_email_deliveries_total/m);

  const health = await fetch(`${base}/healthz`);
  expect(await health.json()).toEqual({ status: 'ok', worker: 'RUNNING' });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ checks: { postgres: { ok: true }, temporal: { ok: true } } });
});
