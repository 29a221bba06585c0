import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/database';

/** What every operator command may use; built once by src/cli/billing.ts. */
export interface CliDeps {
  config: Config;
  db: Db;
  temporal: Client;
  out: (line: string) => void;
  /** Progress of a long command, for a person watching (stderr): never mixed into `out`, which scripts parse. */
  progress: (line: string) => void;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** A complete invocation, shown by --help: `npm run billing -- <name> …`. */
  example: string;
  /** Validates `argv` (throws a UsageError naming the problem) and does the work. */
  run(argv: string[], deps: CliDeps): Promise<void>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
