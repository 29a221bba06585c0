import { z } from 'zod';
import { CONTRACT_CURRENCIES, contractRefusal, type Contract } from '../../domain/contract';
import { BILLING_INTERVALS } from '../../domain/pricing';
import { configuredSubscriptionClient } from '../../subscriptions/client';
import { organizationId, parseOptions } from '../args';
import { UsageError, type CliCommand } from '../command';

const whole = z
  .string()
  .regex(/^-?\d+$/, 'a whole number')
  .transform(Number);

/** `users=50,messages=-1`: the limits per metric (-1 = unlimited); the contract rule checks metrics and values. */
function parseLimits(text: string | undefined): Record<string, number> {
  if (!text) return {};
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const [metric, value] = pair.split('=');
      if (!metric || value === undefined || !/^-?\d+$/.test(value))
        throw new UsageError(`--limits: "${pair}" is not metric=number`);
      return [metric.trim(), Number(value)];
    }),
  );
}

export const assignContractCommand: CliCommand = {
  name: 'assign-contract',
  summary:
    'Assign an enterprise contract to an organization on free, or move its live trialing/active subscription onto one (custom price, limits, card or invoice)',
  usage:
    'assign-contract --org <id> --amount <minor units> --interval <month|year> [--currency usd|eur] [--limits users=50,messages=-1] [--collection card|invoice --days-until-due <n>] [--email <billing email>] [--key <idempotency key>]',
  example:
    'npm run billing -- assign-contract --org org_acme --amount 250000 --interval year --limits users=200,messages=-1 --collection invoice --days-until-due 30 --email ap@acme.example',
  async run(argv, { config, temporal, out }) {
    const opts = parseOptions(
      argv,
      z.object({
        org: organizationId,
        amount: whole,
        interval: z.enum(BILLING_INTERVALS),
        currency: z.enum(CONTRACT_CURRENCIES).default('usd'),
        limits: z.string().optional(),
        collection: z.enum(['card', 'invoice']).default('invoice'),
        'days-until-due': whole.optional(),
        email: z.email().optional(),
        key: z
          .string()
          .regex(/^[\w.:-]{8,200}$/)
          .optional(),
      }),
    );
    const contract: Contract = {
      amount: opts.amount,
      currency: opts.currency,
      interval: opts.interval,
      limits: parseLimits(opts.limits),
      collection:
        opts.collection === 'card'
          ? { method: 'charge_automatically' }
          : { method: 'send_invoice', daysUntilDue: opts['days-until-due'] ?? 30 },
    };
    const problem = contractRefusal(contract);
    if (problem) throw new UsageError(problem);
    const view = await configuredSubscriptionClient(temporal, config).assignContract(
      opts.org,
      { contract, ...(opts.email && { email: opts.email }) },
      opts.key ?? `cli-assign-contract:${opts.org}:${Date.now()}`,
    );
    out(
      `${opts.org}: contract assigned → plan ${view.plan} (status ${view.status}), ${contract.amount} ${contract.currency} per ${contract.interval}, ${contract.collection.method === 'send_invoice' ? `invoiced net ${contract.collection.daysUntilDue}` : 'charged to the card'}`,
    );
  },
};
