import { execFileSync } from 'node:child_process';
import path from 'node:path';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');
const rejected = [
  "import fs from 'node:fs';",
  "import { randomUUID } from 'crypto';",
  "import Stripe from 'stripe';",
  "import { Kysely } from 'kysely';",
  "import { Client } from '@temporalio/client';",
  "import { createDb } from '../db/database';",
  "import { createActivities } from '../activities';",
  "import { createSubscriptionClient } from '../subscriptions/client';",
  "import { createWorkerRuntime } from '../runtime/worker-runtime';",
];
const accepted = [
  "import { sleep } from '@temporalio/workflow';",
  "import type { BillingActivities } from '../activities/types';",
  "import { PLANS } from '../domain/plans';",
];

type Messages = { ruleId: string | null; message: string }[];

function lint(sources: { code: string; file: string }[]): Messages[] {
  const input = JSON.stringify({
    cwd: ROOT,
    sources: sources.map((s) => ({ code: s.code, filePath: path.join(ROOT, s.file) })),
  });
  const out = execFileSync(process.execPath, [path.join(__dirname, '../../helpers/lint-texts.mjs')], {
    input,
    cwd: ROOT,
  });
  return JSON.parse(out.toString()) as Messages[];
}

const restricted = (m: Messages) => m.filter((x) => x.ruleId === '@typescript-eslint/no-restricted-imports');

describe('the workflow determinism lint rule', () => {
  const cases = [
    ...rejected.map((line) => ({ line, file: 'src/workflows/probe.ts' })),
    ...accepted.map((line) => ({ line, file: 'src/workflows/probe.ts' })),
    { line: rejected[0]!, file: 'src/activities/probe.ts' },
  ];
  const results = lint(cases.map((c) => ({ code: `${c.line}\nexport const probe = 1;\n`, file: c.file })));

  test.each(rejected.map((line, i) => [line, i] as const))('rejects `%s` in src/workflows', (_, i) => {
    expect(restricted(results[i]!)).not.toEqual([]);
  });

  test.each(accepted.map((line, i) => [line, rejected.length + i] as const))(
    'accepts `%s` in src/workflows',
    (_, i) => {
      expect(restricted(results[i]!)).toEqual([]);
    },
  );

  test('Node built-ins are fine outside src/workflows', () => {
    expect(restricted(results[cases.length - 1]!)).toEqual([]);
  });
});
