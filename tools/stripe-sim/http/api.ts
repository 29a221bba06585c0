import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from '../control/faults';
import type { RequestLog } from '../control/request-log';
import { API_VERSION, type Sim } from '../sim';
import { requirePublishableAccess, requireTestKey } from './auth';
import { StripeApiError, invalidRequest } from './errors';
import { applyExpand } from './expand';
import { invoiceIncludables } from '../billing/invoice-payments';
import { customerIncludables } from '../billing/tax';
import { priceIncludables } from '../billing/money';
import { parseForm } from './form';
import { findReplay, fingerprint, remember, shouldRemember } from './idempotency';
import type { Router } from './router';

export interface ApiDeps {
  sim: Sim;
  router: Router;
  faults: FaultInjector;
  log: RequestLog;
}

interface Outcome {
  status: number;
  body: unknown;
  replayed: boolean;
}

function errorOutcome(error: unknown): Outcome {
  if (error instanceof StripeApiError) return { status: error.status, body: { error: error.body }, replayed: false };
  console.error('stripe-sim: unexpected error', error);
  return {
    status: 500,
    body: { error: { type: 'api_error', message: 'An unknown error occurred in the simulator.' } },
    replayed: false,
  };
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** One Stripe API request: faults, auth, routing, idempotency, expand, logging. */
export async function handleApiRequest(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawBody: string,
): Promise<void> {
  const { sim, faults, log } = deps;
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const requestId = sim.id('req', 14);
  const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
  const stripeVersion = typeof req.headers['stripe-version'] === 'string' ? req.headers['stripe-version'] : null;
  const query = url.search.replace(/^\?/, '');
  const record = (status: number): void =>
    log.record({
      requestId,
      method,
      path,
      query,
      body: rawBody,
      idempotencyKey,
      stripeVersion,
      status,
      at: new Date().toISOString(),
    });

  const fault = faults.take(method, path);
  const executes = !fault || fault.kind === 'delay' || (fault.kind === 'timeout' && fault.executed);
  const executed = executes
    ? await execute(deps, req, method, path, query, rawBody, { requestId, idempotencyKey })
    : null;
  if (fault?.kind === 'timeout') {
    // Logged with status 0 (no answer), whether or not the request took effect.
    record(0);
    setTimeout(() => req.socket.destroy(), fault.hangMs).unref();
    return;
  }
  const outcome: Outcome =
    executed ??
    (fault?.kind === '429'
      ? {
          status: 429,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'rate_limit',
              message: 'Too many requests hit the API too quickly. (simulated)',
            },
          },
          replayed: false,
        }
      : {
          status: 500,
          body: { error: { type: 'api_error', message: 'An unknown error occurred. (simulated)' } },
          replayed: false,
        });
  if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.hangMs).unref());
  record(outcome.status);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Request-Id': requestId,
    'Stripe-Version': stripeVersion ?? API_VERSION,
  };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  if (outcome.replayed) headers['Idempotent-Replayed'] = 'true';
  res.writeHead(outcome.status, headers);
  res.end(JSON.stringify(outcome.body, null, 2));
}

async function execute(
  deps: ApiDeps,
  req: IncomingMessage,
  method: string,
  path: string,
  query: string,
  rawBody: string,
  scope: { requestId: string; idempotencyKey: string | null },
): Promise<Outcome> {
  const { sim, router } = deps;
  try {
    const key = requireTestKey(req.headers);
    const match = router.match(method, path);
    if (!match) {
      throw new StripeApiError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}). The simulator implements only the part of Stripe's API this project uses.`,
      });
    }
    // https://docs.stripe.com/idempotency: "Idempotency keys are up to 255 characters long."
    if (scope.idempotencyKey !== null && scope.idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw invalidRequest(
        `Keys for idempotent requests can only be ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long; this one has ${scope.idempotencyKey.length}.`,
        'idempotency_key',
      );
    }
    const useKey = method === 'POST' && scope.idempotencyKey !== null;
    const print = fingerprint(method, path, rawBody);
    if (useKey) {
      const replay = findReplay(sim.state, scope.idempotencyKey ?? '', print, sim.realNow());
      if (replay) return { ...replay, replayed: true };
    }
    const params = parseForm(method === 'POST' ? rawBody : query);
    if (key === 'publishable')
      requirePublishableAccess(method, path, params, (id) => sim.state.setupIntents[id]?.client_secret);
    const outcome = await run(
      sim,
      scope,
      () => match.handler({ pathParams: match.pathParams, params, method, path }),
      params.expand,
    );
    if (useKey && shouldRemember(outcome.status, outcome.body)) {
      remember(sim.state, scope.idempotencyKey ?? '', print, outcome, sim.realNow());
      sim.store.changed();
    }
    return outcome;
  } catch (error) {
    return errorOutcome(error);
  }
}

async function run(
  sim: Sim,
  scope: { requestId: string; idempotencyKey: string | null },
  fn: () => unknown,
  expand: unknown,
): Promise<Outcome> {
  try {
    const result = await sim.inRequest(scope, fn);
    const paths = Array.isArray(expand) ? expand.filter((e): e is string => typeof e === 'string') : [];
    const body =
      paths.length > 0
        ? applyExpand(
            result,
            paths,
            (id) => sim.lookup(id),
            (record, field) =>
              invoiceIncludables(sim)(record, field) ??
              customerIncludables(record, field) ??
              priceIncludables(sim)(record, field),
          )
        : structuredClone(result);
    return { status: 200, body, replayed: false };
  } catch (error) {
    return errorOutcome(error);
  }
}
