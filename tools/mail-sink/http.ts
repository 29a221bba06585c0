import { Hono } from 'hono';
import { z } from 'zod';
import type { FaultSwitch } from './faults';
import type { MessageStore } from './message-store';

const listQuery = z.object({ to: z.string().min(3).optional() });
const faultsBody = z.strictObject({
  rejectNext: z.number().int().min(0).max(10_000),
  code: z.number().int().min(400).max(599).optional(),
  message: z.string().min(1).max(200).optional(),
});

function invalid(issues: z.core.$ZodIssue[]): { error: { code: string; message: string } } {
  return {
    error: {
      code: 'INVALID_REQUEST',
      message: issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    },
  };
}

/** The sink's inbox API: what tests and the demo read instead of a real mailbox. */
export function createHttpApp(store: MessageStore, faults: FaultSwitch, smtpPort: () => number): Hono {
  const app = new Hono();

  app.get('/health', (c) => c.json({ status: 'ok', smtpPort: smtpPort(), messages: store.size }));

  app.get('/messages', (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) return c.json(invalid(query.error.issues), 400);
    return c.json(store.list(query.data));
  });

  app.delete('/messages', (c) => {
    store.clear();
    return c.body(null, 204);
  });

  app.get('/faults', (c) => c.json(faults.current()));

  app.post('/faults', async (c) => {
    const body = faultsBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json(invalid(body.error.issues), 400);
    return c.json(faults.set(body.data));
  });

  app.notFound((c) =>
    c.json({ error: { code: 'NOT_FOUND', message: `${c.req.method} ${c.req.path} is not a mail-sink route` } }, 404),
  );
  return app;
}
