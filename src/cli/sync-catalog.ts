import { loadConfigOrExit } from '../config';
import { syncCatalog } from '../stripe/catalog-sync';
import { createStripeClient } from '../stripe/client';

// `npm run catalog:sync`: creates or updates the plan products and prices in Stripe (or the simulator).
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const stripe = createStripeClient({ secretKey: config.stripe.secretKey, apiUrl: config.stripe.apiUrl });
  const report = await syncCatalog(stripe);
  for (const p of report.products) process.stdout.write(`product ${p.productId.padEnd(24)} ${p.action}\n`);
  for (const p of report.prices) process.stdout.write(`price   ${p.lookupKey.padEnd(32)} ${p.priceId} ${p.action}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`catalog sync failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
