import fc from 'fast-check';
import type { Plan } from './plans';
import type { SweepResponse } from './http';
import { envelopeProblem } from './invariants';

/** BAD_INPUT_SEED reproduces a failing run (fast-check prints the seed and path); BAD_INPUT_RUNS scales every property. */
export function runOptions(numRuns: number): fc.Parameters<unknown> {
  const scale = Number(process.env.BAD_INPUT_RUNS_SCALE ?? 1);
  return {
    numRuns: Math.max(1, Math.round(numRuns * scale)),
    ...(process.env.BAD_INPUT_SEED ? { seed: Number(process.env.BAD_INPUT_SEED) } : {}),
    // Shrinking replays requests; bound it so a failure is reported within the suite's time.
    interruptAfterTimeLimit: 90_000,
    markInterruptAsFailure: false,
  };
}

export function describeRequest(plan: Plan): string {
  const { method, target, headers, body, chunked } = plan.request;
  const preview = body
    ? JSON.stringify(body.subarray(0, 300).toString('latin1')) + (body.length > 300 ? `… (${body.length} bytes)` : '')
    : '(none)';
  return `${method} ${target.slice(0, 300)}\nheaders: ${JSON.stringify(headers).slice(0, 600)}\nbody${chunked ? ' (chunked)' : ''}: ${preview}\nmust refuse because: ${plan.refusedBecause.join('; ') || '(nothing: legitimate)'}`;
}

/** What is wrong with the answer to a planned request, or null. */
export function answerProblem(plan: Plan, res: SweepResponse): string | null {
  if (res.status >= 500) return `answered ${res.status}: ${res.text.slice(0, 300)}`;
  if (plan.refusedBecause.length > 0 && (res.status < 400 || res.status >= 500))
    return `a request to refuse got ${res.status}: ${res.text.slice(0, 300)}`;
  if (res.status >= 400) return envelopeProblem(res);
  return null;
}
