import { Hono, type Context } from 'hono';
import type { AppEnv } from '../api/context';
import type { Config } from '../config';
import { APP_CSS } from './app-css';
import { bundleBrowserApp } from './bundle';

/** The paths the page answers (emails link to the last two); the browser app picks its view from the path. */
export const BILLING_PAGE_PATHS = ['/billing', '/billing/sign-in', '/billing/payment-method', '/billing/usage'];

const STRIPE_JS = 'https://js.stripe.com';

/**
 * Where card entry goes: Stripe.js from js.stripe.com with a real key (Stripe requires loading it from there; it is
 * the page's only outside asset, and only then), else the simulator's API, which the test-card picker calls
 * with the publishable key as Stripe.js would.
 */
function cardEntry(config: Config): { mode: 'stripe' | 'simulator'; stripeApi: string } {
  return config.stripe.usesSimulator
    ? { mode: 'simulator', stripeApi: config.stripe.apiUrl ?? '' }
    : { mode: 'stripe', stripeApi: 'https://api.stripe.com' };
}

function policy(config: Config): string {
  const { mode, stripeApi } = cardEntry(config);
  const stripe = mode === 'stripe' ? ` ${STRIPE_JS}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${stripe}`,
    `connect-src 'self' ${new URL(stripeApi).origin}`,
    `frame-src${stripe || " 'none'"}${stripe ? ' https://hooks.stripe.com' : ''}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(config: Config): string {
  const { mode, stripeApi } = cardEntry(config);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Billing</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/billing/assets/app.css">
<script src="/billing/assets/app.js" defer></script>
</head>
<body>
<main id="app" data-card-entry="${mode}" data-stripe-api="${escapeAttr(stripeApi)}" data-publishable-key="${escapeAttr(config.stripe.publishableKey ?? '')}">
<p>Loading your billing…</p>
</main>
</body>
</html>
`;
}

function html(c: Context<AppEnv>) {
  const config = c.get('deps').config;
  c.header('Content-Security-Policy', policy(config));
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(page(config));
}

/** The reference billing page: a browser app built only on the public API through the typed client (src/client). */
export const billingPageRoutes = new Hono<AppEnv>();
for (const path of BILLING_PAGE_PATHS) billingPageRoutes.get(path, html);
billingPageRoutes
  .get('/billing/assets/app.js', async (c) =>
    c.body(await bundleBrowserApp(), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-cache',
    }),
  )
  .get('/billing/assets/app.css', (c) =>
    c.body(APP_CSS, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'no-cache',
    }),
  );
