import { issueDevSignIn } from '../../src/billing-page/dev-sign-in';
import { loadConfigOrExit } from '../../src/config';
import { createStripeClient } from '../../src/stripe/client';
import { subscriptionWorkflowId } from '../../src/workflows/messages';
import { DemoArgsError, USAGE, parseDemoArgs, type DemoOptions } from './args';
import { runDemo } from './run-demo';

/** `npm run demo` plays the story against a running stack (scripts/demo.sh starts it); exit 0 only if it all agrees. */
async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoArgs(process.argv.slice(2), Boolean(process.stdout.isTTY));
  } catch (err) {
    if (!(err instanceof DemoArgsError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE.split('\n')[0]}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.validateOnly) return 0;
  const config = loadConfigOrExit();
  if (!config.stripe.usesSimulator || !config.stripe.testClocks) {
    process.stderr.write(
      'The demo moves time with Stripe test clocks on the local simulator: unset STRIPE_SECRET_KEY and set STRIPE_TEST_CLOCKS=1.\n',
    );
    return 2;
  }
  if (!config.auth.jwtSecret) {
    process.stderr.write(
      "The demo signs its users' tokens with the HS256 secret (JWT_SECRET or the development default), not a JWKS URL.\n",
    );
    return 2;
  }
  const simUrl = config.stripe.apiUrl;
  if (!simUrl) throw new Error('no simulator URL configured');
  const result = await runDemo(
    {
      apiUrl: options.apiUrl ?? config.http.publicUrl,
      stripe: createStripeClient(config.stripe),
      simUrl,
      mailUrl: options.mailUrl,
      jwtSecret: config.auth.jwtSecret,
      serviceToken: config.auth.usageServiceTokens[0],
      adminToken: config.auth.adminTokens[0],
      write: (text) => void process.stdout.write(text),
      live: options.color,
    },
    options,
  );
  if (result.ok) {
    const ui = `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows`;
    process.stdout.write("\nThis run's subscription workflows in the Temporal UI:\n");
    for (const org of result.orgs) {
      const query = `WorkflowId="${subscriptionWorkflowId(org.organizationId)}"`;
      process.stdout.write(`  ${org.name.padEnd(9)} ${ui}?query=${encodeURIComponent(query)}\n`);
    }
    // The same organizations on the billing page, signed in as their owner (the dev-sign-in command's link).
    const api = { ...config, http: { ...config.http, publicUrl: options.apiUrl ?? config.http.publicUrl } };
    process.stdout.write("\nThis run's organizations on the billing page (signed in as their owner for 12 h):\n");
    for (const org of result.orgs) {
      const { link } = await issueDevSignIn(api, { organizationId: org.organizationId, role: 'owner', hours: 12 });
      process.stdout.write(`  ${org.name.padEnd(9)} ${link}\n`);
    }
  }
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
