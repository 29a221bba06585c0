import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack';
import { startOtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver';
import { eventually } from '../helpers/stack';
import { newOrg, subscribe } from './support';

jest.setTimeout(180_000);

let stack: FaultStack;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // The standard variables only; spans leave in batches every 200 ms instead of 5 s.
  stack = await startFaultStack({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' },
  });
}, 180_000);
afterAll(async () => {
  if (stack) writeFileSync(path.join(__dirname, '../../.local/logs', 'faults-tracing.log'), stack.logs());
  if (receiver) {
    const names = receiver.spans.map(
      (s) => `${s.service} ${s.traceId} ${s.spanId}<-${s.parentSpanId} ${s.kind} ${s.name}`,
    );
    writeFileSync(path.join(__dirname, '../../.local/logs', 'faults-tracing-spans.log'), names.join('\n'));
  }
  await stack?.close();
  await receiver?.close();
});

test('one API request’s spans share a trace across the API and the worker: HTTP → Temporal client → workflow update → activities → Stripe → Postgres', async () => {
  const org = newOrg('traced');
  expect((await subscribe(stack, org)).status).toBe(201);

  const request = await eventually('the API’s span of POST /subscription', async () =>
    receiver.spans.find(
      (s) =>
        s.service === 'billing-api' &&
        s.kind === 2 &&
        s.parentSpanId === '' &&
        JSON.stringify(s.attributes).includes('/api/v1/billing/subscription'),
    ),
  );
  const inTrace = (predicate: (s: ReceivedSpan) => boolean) =>
    eventually('a span of the trace', async () =>
      receiver.spans.find((s) => s.traceId === request.traceId && predicate(s)),
    );
  const simPort = new URL(stack.simUrl).port;
  const client = await inTrace((s) => s.service === 'billing-api' && /UpdateWithStart|StartWorkflow/.test(s.name));
  // Update-with-start: the workflow's span is its update handler's, a child of the client's call.
  const workflow = await inTrace((s) => s.service === 'billing-worker' && s.name === 'HandleUpdate:subscribe');
  const activity = await inTrace((s) => s.service === 'billing-worker' && /^RunActivity:/.test(s.name));
  const stripeCall = await inTrace(
    (s) => s.service === 'billing-worker' && s.kind === 3 && JSON.stringify(s.attributes).includes(`:${simPort}`),
  );
  const query = await inTrace((s) => s.service === 'billing-worker' && s.attributes['db.system'] === 'postgresql');
  // Each hop is a descendant of the one before it.
  const byId = new Map(receiver.spans.map((s) => [s.spanId, s]));
  const ancestors = (span: ReceivedSpan): string[] => {
    const chain: string[] = [];
    for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) chain.push(at.spanId);
    return chain;
  };
  expect(ancestors(client)).toContain(request.spanId);
  expect(ancestors(workflow)).toContain(client.spanId);
  expect(ancestors(activity)).toContain(workflow.spanId);
  expect(ancestors(stripeCall).some((id) => byId.get(id)?.name.startsWith('RunActivity:'))).toBe(true);
  expect(ancestors(query).some((id) => byId.get(id)?.name.startsWith('RunActivity:'))).toBe(true);
  // Probes and scrapes are not traced.
  expect(receiver.spans.some((s) => /healthz|readyz|metrics/.test(String(s.attributes['http.target'] ?? '')))).toBe(
    false,
  );
});
