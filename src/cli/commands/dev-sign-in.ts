import { z } from 'zod';
import { ROLES } from '../../api/middleware/auth';
import { DevSignInRefused, issueDevSignIn } from '../../billing-page/dev-sign-in';
import { organizationId, parseOptions } from '../args';
import { UsageError, type CliCommand } from '../command';

const Options = z.object({
  org: organizationId,
  role: z.enum(ROLES).default('owner'),
  email: z.email().optional(),
  hours: z.coerce.number().int().min(1).max(720).default(12),
  json: z.boolean().optional(),
});

export const devSignInCommand: CliCommand = {
  name: 'dev-sign-in',
  summary:
    'A user token and a billing-page sign-in link for an organization and role (local use; refused in production)',
  usage:
    'dev-sign-in --org <organizationId> [--role owner|admin|billing_admin|member] [--email <address>] [--hours 12] [--json]',
  example: 'npm run billing -- dev-sign-in --org org_local --role billing_admin',
  async run(argv, { config, out }) {
    const o = parseOptions(argv, Options, ['json']);
    let signIn;
    try {
      signIn = await issueDevSignIn(config, { organizationId: o.org, role: o.role, email: o.email, hours: o.hours });
    } catch (err) {
      if (err instanceof DevSignInRefused) throw new UsageError(err.message);
      throw err;
    }
    if (o.json) return out(JSON.stringify({ organizationId: o.org, role: o.role, ...signIn }));
    out(`Sign in to the billing page as ${o.role} of ${o.org} (until ${signIn.expiresAt}):`);
    out(`  ${signIn.link}`);
    out('User token (Authorization: Bearer …):');
    out(`  ${signIn.token}`);
  },
};
