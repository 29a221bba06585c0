import { SUBSCRIPTION_STATUSES } from '../../../../src/domain/subscription-status';
import { idempotencyKeyOf, pendingDeadlines, STRIPE_READS, type Effect } from '../../../../src/domain/subscription';
import { policy, type Recorded } from './harness';

/** Each invariant returns the first violation it finds in a run, or null. */
export type Invariant = (run: Recorded[]) => string | null;

const calls = (r: Recorded) => r.effects.filter((e): e is Extract<Effect, { kind: 'call' }> => e.kind === 'call');
const writes = (r: Recorded) =>
  calls(r).filter((c) => !STRIPE_READS.has(c.call.name) && c.call.name !== 'previewPlanChange');

/** No invoice attempt is paid twice: every pay call the policy makes is a new attempt (a new idempotency key). */
export const noInvoiceAttemptPaidTwice: Invariant = (run) => {
  const seen = new Set<string>();
  for (const r of run) {
    for (const c of calls(r)) {
      if (c.call.name !== 'payInvoice') continue;
      const key = idempotencyKeyOf(c.call)!;
      if (seen.has(key)) return `pay call ${key} made twice`;
      seen.add(key);
    }
  }
  return null;
};

/** Canceled is final for a run: once canceled, the status stays canceled and nothing more is written to Stripe. */
export const canceledIsFinal: Invariant = (run) => {
  for (const r of run) {
    if (r.before.status !== 'canceled') continue;
    if (r.after.status !== 'canceled') return `canceled became ${r.after.status} on ${r.input.type}`;
    const w = writes(r);
    if (w.length > 0) return `Stripe write ${w[0]!.call.name} after cancel`;
  }
  return null;
};

/**
 * Deadlines move forward: a backstop the step set lies after the step, and a deadline that fired is not pending
 * at the same time afterwards (or the workflow would spin on it).
 */
export const deadlinesInTheFuture: Invariant = (run) => {
  for (const r of run) {
    const now = r.input.now;
    if (r.after.backstopAt !== null && r.after.backstopAt !== r.before.backstopAt && r.after.backstopAt <= now) {
      return `backstop set to ${r.after.backstopAt} at ${now}`;
    }
    if (r.input.type !== 'deadline' || calls(r).length > 0) continue;
    const fired = r.input.kind;
    const firedAt = pendingDeadlines(r.before, policy).find((d) => d.kind === fired)?.at;
    if (pendingDeadlines(r.after, policy).some((d) => d.kind === fired && d.at === firedAt))
      return `${fired} at ${firedAt} still pending after it fired`;
  }
  return null;
};

/** The status is always one the API documents, and past_due exactly accompanies our dunning. */
export const statusDocumented: Invariant = (run) => {
  for (const r of run) {
    const s = r.after;
    if (!(SUBSCRIPTION_STATUSES as readonly string[]).includes(s.status)) return `undocumented status ${s.status}`;
    if (s.dunning !== null && s.status !== 'past_due' && r.effects.some((e) => e.kind === 'publish'))
      return `published ${s.status} during dunning`;
  }
  return null;
};

/** `paused` is shown exactly while a pause is held, and a pause never outlives the subscription. */
export const pausedOnlyWithPause: Invariant = (run) => {
  for (const r of run) {
    const s = r.after;
    if (s.status === 'paused' && !s.pause) return 'paused without a pause';
    if (s.status === 'canceled' && s.pause) return 'a pause kept after the end';
  }
  return null;
};

/**
 * Idempotency keys are equal exactly when the business step is: calls from different business steps never
 * share a key, and the same business step (the same command with the same Idempotency-Key, replayed from the
 * same state) sends the same keys.
 */
export const keysMatchBusinessSteps: Invariant = (run) => {
  const stepOf = new Map<string, string>();
  for (const r of run) {
    for (const c of writes(r)) {
      const key = idempotencyKeyOf(c.call);
      if (key === null) continue;
      // The business step: the command and its Idempotency-Key; for the policy's own steps, the invoice (and
      // the attempt) they act on; plus which call of the chain it is.
      const origin =
        r.rootCommand && 'updateId' in r.rootCommand ? `${r.rootCommand.type}:${r.rootCommand.updateId}` : 'policy';
      const subject =
        c.call.name === 'payInvoice'
          ? `${c.call.input.invoiceId}#${c.call.input.attempt}`
          : c.then.step === 'grace.canceled'
            ? c.then.invoiceId
            : '';
      const step = `${origin}:${c.call.name}:${c.then.step}:${subject}`;
      const earlier = stepOf.get(key);
      if (
        earlier !== undefined &&
        earlier !== step &&
        !(c.call.name === 'ensureCustomer' || c.call.name === 'attachPaymentMethod')
      ) {
        return `key ${key} shared by ${earlier} and ${step}`;
      }
      stepOf.set(key, step);
    }
  }
  return null;
};

/** A payment waiting for the customer's authentication is never retried blindly on our schedule. */
export const noBlindRetryWhileActionRequired: Invariant = (run) => {
  for (const r of run) {
    if (r.input.type !== 'deadline' || !r.before.dunning?.action) continue;
    if (calls(r).some((c) => c.call.name === 'payInvoice'))
      return `scheduled retry of ${r.before.dunning.invoiceId} while it waits for the customer`;
  }
  return null;
};

export const INVARIANTS = {
  noInvoiceAttemptPaidTwice,
  canceledIsFinal,
  deadlinesInTheFuture,
  statusDocumented,
  keysMatchBusinessSteps,
  noBlindRetryWhileActionRequired,
  pausedOnlyWithPause,
};
