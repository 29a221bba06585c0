import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { FaultSwitch } from './faults';
import { INBOX_CSP, renderInbox, renderMessage } from './inbox-pages';
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

/** The sink's inbox: HTML pages for a person (`/`, `/inbox/:id`) and the JSON API tests and the demo read. */
export function createHttpApp(store: MessageStore, faults: FaultSwitch, smtpPort: () => number): Hono {
  const app = new Hono();

  app.get('/health', (c) => c.json({ status: 'ok', smtpPort: smtpPort(), messages: store.size }));

  const page = (c: Context, html: string, status: 200 | 404 = 200) => {
    c.header('Content-Security-Policy', INBOX_CSP);
    return c.html(html, status);
  };
  const inbox = (c: Context) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) return c.json(invalid(query.error.issues), 400);
    return page(c, renderInbox(store.list(query.data), query.data.to));
  };
  app.get('/', inbox);
  app.get('/inbox', inbox);
  app.get('/inbox/:id', (c) => {
    const message = store.get(c.req.param('id'));
    return message ? page(c, renderMessage(message)) : page(c, renderInbox([], undefined), 404);
  });

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
