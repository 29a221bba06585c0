import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Sim } from '../sim';
import type { WebhookDispatcher } from '../webhooks/dispatcher';
import { webhookFaultSchema } from '../webhooks/faults';
import { renderInvoiceHtml, renderInvoicePdf, renderCreditNotePdf } from '../pages/invoice-page';
import { behaviorOf } from '../billing/card-outcomes';
import { apiFaultSchema, type FaultInjector } from './faults';
import {
  authenticatePaymentIntent,
  authenticateSetupIntent,
  renderChallengePage,
  submitChallenge,
} from './authenticate';
import type { RequestLog } from './request-log';

export interface ControlDeps {
  sim: Sim;
  faults: FaultInjector;
  log: RequestLog;
  dispatcher: WebhookDispatcher;
  reset: () => void;
}

const declineSchema = z.strictObject({
  code: z.string().default('card_declined'),
  declineCode: z.string().default('generic_decline'),
  adviceCode: z.enum(['confirm_card_data', 'do_not_try_again', 'try_again_later']).optional(),
  message: z.string().default('Your card was declined.'),
});
const authenticateSchema = z.strictObject({ outcome: z.enum(['succeed', 'fail']) });

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body, null, 2));
}

function parseJson<S extends z.ZodType>(schema: S, raw: string): z.output<S> | { error: string } {
  let data: unknown;
  try {
    data = raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    return { error: 'body must be JSON' };
  }
  const result = schema.safeParse(data);
  return result.success
    ? result.data
    : { error: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

function isError(value: unknown): value is { error: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    typeof (value as { error: unknown }).error === 'string'
  );
}

/** `/_sim/*`: the simulator's own control plane (not Stripe's API; no auth). */
export function handleControl(
  deps: ControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: string,
): void {
  const { sim, faults, log, dispatcher } = deps;
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const route = `${method} ${path}`;
  if (route === 'GET /_sim/health') return json(res, 200, { ok: true });
  if (route === 'POST /_sim/reset') {
    deps.reset();
    return json(res, 200, { ok: true });
  }
  if (route === 'GET /_sim/requests') return json(res, 200, { data: log.all() });
  if (route === 'DELETE /_sim/requests') {
    log.clear();
    return json(res, 200, { ok: true });
  }
  if (route === 'GET /_sim/faults') return json(res, 200, { api: faults.list(), webhooks: dispatcher.faults.list() });
  if (route === 'DELETE /_sim/faults') {
    faults.clear();
    dispatcher.faults.clear();
    return json(res, 200, { ok: true });
  }
  if (route === 'POST /_sim/faults') {
    const fault = parseJson(apiFaultSchema, raw);
    if (isError(fault)) return json(res, 400, fault);
    faults.add(fault);
    return json(res, 200, { ok: true, fault });
  }
  if (route === 'POST /_sim/webhook-faults') {
    const fault = parseJson(webhookFaultSchema, raw);
    if (isError(fault)) return json(res, 400, fault);
    dispatcher.faults.add(fault);
    return json(res, 200, { ok: true, fault });
  }
  if (route === 'GET /_sim/deliveries')
    return json(res, 200, { idle: dispatcher.idle(), data: dispatcher.deliveries() });

  const decline = /^\/_sim\/payment_methods\/([^/]+)\/decline$/.exec(path);
  if (method === 'POST' && decline) {
    const id = decline[1] ?? '';
    const p = parseJson(declineSchema, raw);
    if (isError(p)) return json(res, 400, p);
    if (!sim.state.paymentMethods[id]) return json(res, 404, { error: `no payment method ${id}` });
    sim.state.cardBehaviors[id] = {
      ...behaviorOf(sim, id),
      override: { code: p.code, declineCode: p.declineCode, adviceCode: p.adviceCode ?? null, message: p.message },
    };
    sim.store.changed();
    return json(res, 200, { ok: true });
  }

  const authenticate = /^\/_sim\/(payment_intents|setup_intents)\/([^/]+)\/authenticate$/.exec(path);
  if (method === 'POST' && authenticate) {
    const p = parseJson(authenticateSchema, raw);
    if (isError(p))
      return json(res, 400, { error: `${p.error} (expected {"outcome":"succeed"} or {"outcome":"fail"})` });
    const answer =
      authenticate[1] === 'payment_intents'
        ? authenticatePaymentIntent(sim, authenticate[2] ?? '', p.outcome)
        : authenticateSetupIntent(sim, authenticate[2] ?? '', p.outcome);
    return json(res, answer.status, answer.body);
  }
  const challenge = /^\/_sim\/authenticate\/([^/]+)$/.exec(path);
  if (method === 'GET' && challenge) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(renderChallengePage(challenge[1] ?? ''));
    return;
  }
  if (method === 'POST' && challenge) {
    const outcome = new URLSearchParams(raw).get('outcome');
    if (outcome !== 'succeed' && outcome !== 'fail')
      return json(res, 400, { error: 'outcome must be succeed or fail' });
    const result = submitChallenge(sim, challenge[1] ?? '', outcome);
    if ('redirect' in result) {
      res.writeHead(303, { Location: result.redirect });
      res.end();
      return;
    }
    return json(res, result.status, result.body);
  }

  const creditNotePdf = /^\/_sim\/credit_notes\/([^/]+)\/pdf$/.exec(path);
  const creditNote = creditNotePdf && method === 'GET' ? sim.state.creditNotes[creditNotePdf[1] ?? ''] : undefined;
  if (creditNote) {
    res.writeHead(200, { 'Content-Type': 'application/pdf' });
    res.end(renderCreditNotePdf(creditNote));
    return;
  }
  const page = /^\/_sim\/invoices\/([^/]+)(\/pdf)?$/.exec(path);
  const invoice = page && method === 'GET' ? sim.state.invoices[page[1] ?? ''] : undefined;
  if (invoice && page?.[2]) {
    res.writeHead(200, { 'Content-Type': 'application/pdf' });
    res.end(renderInvoicePdf(invoice));
    return;
  }
  if (invoice) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(renderInvoiceHtml(invoice));
    return;
  }
  json(res, 404, { error: `unknown control path ${route}` });
}
