import { parseArgs } from 'node:util';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const argsSchema = z.object({
  'smtp-port': port.default(1025),
  'http-port': port.default(1080),
  host: z.string().min(1).default('127.0.0.1'),
  /** Messages kept (the newest); older ones fall off. A benchmark that reads every email back raises it. */
  capacity: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
});

export interface MailSinkArgs {
  smtpPort: number;
  httpPort: number;
  host: string;
  capacity: number;
}

/** `--smtp-port 1025 --http-port 1080 --host 127.0.0.1 --capacity 1000`; throws with the offending flag named. */
export function parseMailSinkArgs(argv: string[]): MailSinkArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      'smtp-port': { type: 'string' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      capacity: { type: 'string' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return {
    smtpPort: parsed.data['smtp-port'],
    httpPort: parsed.data['http-port'],
    host: parsed.data.host,
    capacity: parsed.data.capacity,
  };
}
