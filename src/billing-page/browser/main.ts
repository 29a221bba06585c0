import { ApiFailure, api, data, type SubscriptionState } from './api';
import { banners } from './banners';
import { finishRedirectedSetup } from './card-entry-simulator';
import { pageStripe } from './card-entry';
import { h } from './dom';
import { invoices } from './invoices';
import { overview, type Act } from './overview';
import { paymentMethods, saveCard } from './payment-methods';
import { planPicker } from './plan-picker';
import { signOut, takeTokenFromLink, userToken } from './session';
import { usage } from './usage';

/**
 * The billing page: one view per path (/billing, /billing/payment-method, /billing/usage, as emails link), each
 * read from the public API through the typed client and redrawn after every action.
 */
const app = document.getElementById('app') as HTMLElement;
const notice = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite', 'data-testid': 'notice' });

const VIEWS = [
  { path: '/billing', title: 'Overview' },
  { path: '/billing/payment-method', title: 'Payment methods' },
  { path: '/billing/usage', title: 'Usage' },
] as const;

function notify(message: string, tone: 'ok' | 'error' = 'error'): void {
  notice.className = `notice ${tone}`;
  notice.textContent = message;
}

const act: Act = async (label, run) => {
  try {
    notice.textContent = '';
    await run();
    if (!label) return;
    await draw();
    notify(label, 'ok');
  } catch (err) {
    notify(
      err instanceof ApiFailure
        ? `${err.message} (${err.code}${err.requestId ? `, request ${err.requestId}` : ''})`
        : err instanceof Error
          ? err.message
          : String(err),
    );
  }
};

function nav(current: string): HTMLElement {
  return h(
    'nav',
    { 'aria-label': 'Billing' },
    h(
      'ul',
      {},
      ...VIEWS.map((v) =>
        h('li', {}, h('a', { href: v.path, 'aria-current': v.path === current ? 'page' : undefined }, v.title)),
      ),
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => {
              signOut();
              void draw();
            },
          },
          'Sign out',
        ),
      ),
    ),
  );
}

function signedOut(): HTMLElement {
  return h(
    'div',
    {},
    h('h1', {}, 'Billing'),
    h('p', {}, 'Sign in with a link from your product, or for local use:'),
    h('pre', {}, 'npm run billing -- dev-sign-in --org <organization>'),
  );
}

async function draw(): Promise<void> {
  if (!userToken()) return void app.replaceChildren(signedOut());
  const path = VIEWS.some((v) => v.path === location.pathname) ? location.pathname : '/billing';
  let state: SubscriptionState;
  try {
    state = await data(api.GET('/api/v1/billing/subscription'));
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) {
      signOut();
      app.replaceChildren(signedOut());
      return notify('Your sign-in has expired; sign in again.');
    }
    throw err;
  }
  const s = state.subscription;
  const body: HTMLElement[] = [];
  if (path === '/billing') {
    const [plans, methods, invoiceList] = await Promise.all([
      data(api.GET('/api/v1/billing/plans')),
      data(api.GET('/api/v1/billing/payment-methods')),
      data(api.GET('/api/v1/billing/invoices', { params: { query: { limit: 12 } } })),
    ]);
    const defaultCard = methods.data.find((m) => m.isDefault)?.id ?? methods.data[0]?.id ?? null;
    body.push(
      overview(s, state.effectivePlan, act),
      planPicker(plans.data, s, defaultCard, act, notify),
      invoices(invoiceList.data),
    );
  } else if (path === '/billing/payment-method') {
    const methods = await data(api.GET('/api/v1/billing/payment-methods'));
    body.push(paymentMethods(methods.data, act, notify));
  } else {
    body.push(usage(await data(api.GET('/api/v1/billing/entitlements'))));
  }
  const title = VIEWS.find((v) => v.path === path)?.title ?? 'Billing';
  document.title = `${title} · Billing`;
  app.replaceChildren(h('header', {}, h('h1', {}, 'Billing'), nav(path)), notice, ...banners(s), ...body);
}

async function boot(): Promise<void> {
  takeTokenFromLink();
  const stripe = pageStripe();
  if (userToken() && stripe.mode === 'simulator')
    await finishRedirectedSetup(
      stripe.publishableKey,
      stripe.api,
      async (pm) => {
        await saveCard(pm);
        notify('Card saved', 'ok');
      },
      notify,
    );
  await draw();
}

boot().catch((err: unknown) => {
  app.replaceChildren(notice);
  notify(`The billing page could not load: ${err instanceof Error ? err.message : String(err)}`);
});
