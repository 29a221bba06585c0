import type { TestCard } from '../billing/test-cards';

/** The README's card table, rendered from the table that drives the simulator. */
export function cardTableMarkdown(rows: readonly TestCard[]): string {
  const error = (c: TestCard): string =>
    c.decline
      ? [c.decline.code, c.decline.declineCode ?? '—', c.decline.adviceCode ?? '—'].map((v) => `\`${v}\``).join(' / ')
      : '—';
  const lines = rows.map(
    (c) =>
      `| \`${c.paymentMethod}\` | ${c.attach} | ${c.setup} | ${c.onSession} | ${c.offSession} | ${c.afterSetup === 'no_authentication' ? 'no authentication' : '—'} | ${error(c)} | ${c.source}${c.note ? ` — ${c.note}` : ''} |`,
  );
  return [
    '| card | attach | SetupIntent | on session | off session | once set up | code / decline_code / advice_code | source |',
    '|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}
