import type { Invoice } from './api';
import { h, section } from './dom';
import { day, money, words } from './format';

const DELIVERY: Record<string, string> = {
  not_required: '—',
  queued: 'queued',
  pending: 'sending (retrying)',
  sent: 'sent',
  failed: 'not delivered',
  not_sent: 'not sent',
};

/** Invoices, newest first, with their hosted page and PDF, and whether the invoice email and receipt went out. */
export function invoices(list: Invoice[]): HTMLElement {
  if (list.length === 0) return section('Invoices', h('p', {}, 'No invoices yet.'));
  return section(
    'Invoices',
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'invoices' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Date', 'Number', 'Amount', 'Status', 'Email', 'Links'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          ...list.map((i) =>
            h(
              'tr',
              {},
              h('td', {}, day(i.createdAt)),
              h('td', {}, i.number ?? i.stripeInvoiceId),
              h('td', {}, money(i.amountDue, i.currency)),
              h('td', {}, words(i.status)),
              h(
                'td',
                {},
                `invoice ${DELIVERY[i.delivery.invoice.status] ?? i.delivery.invoice.status}`,
                h('br'),
                `receipt ${DELIVERY[i.delivery.receipt.status] ?? i.delivery.receipt.status}`,
              ),
              h(
                'td',
                {},
                i.hostedInvoiceUrl ? h('a', { href: i.hostedInvoiceUrl }, i.status === 'open' ? 'Pay' : 'View') : '',
                i.hostedInvoiceUrl && i.invoicePdf ? ' · ' : '',
                i.invoicePdf ? h('a', { href: i.invoicePdf }, 'PDF') : '',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
