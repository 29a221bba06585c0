import type { ReceivedMessage } from './message-store';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** No script anywhere; a message's HTML is shown in a sandboxed frame with no script either. */
export const INBOX_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data: http: https:; frame-src 'self'; frame-ancestors 'none'";

const STYLE = `body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1d2330}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d9dde5;vertical-align:top}
.wrap{overflow-x:auto}iframe{width:100%;min-height:28rem;border:1px solid #d9dde5}pre{white-space:pre-wrap;background:#f3f4f7;padding:.75rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#5a6272}dd{margin:0}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The inbox, newest first, optionally for one recipient. */
export function renderInbox(messages: ReceivedMessage[], to: string | undefined): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${esc(new Date(m.receivedAt).toISOString().replace('T', ' ').slice(0, 19))}</td>` +
        `<td>${esc([...m.to, ...m.envelope.rcptTo.filter((r) => !m.to.includes(r))].join(', '))}</td>` +
        `<td><a href="/inbox/${esc(m.id)}">${esc(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('');
  const heading = to ? `Mail to ${esc(to)}` : 'Mail sink inbox';
  return layout(
    'Mail sink inbox',
    `<h1>${heading}</h1><p>${messages.length} message(s). <a href="/inbox">All</a> · JSON: <a href="/messages">/messages</a></p>` +
      (messages.length === 0
        ? '<p>No mail yet.</p>'
        : `<div class="wrap"><table><thead><tr><th scope="col">Received (UTC)</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead><tbody>${rows}</tbody></table></div>`),
  );
}

/** The links a message's HTML (or text) carries, so a person can follow them from the sink. */
export function linksOf(m: ReceivedMessage): string[] {
  const found = m.html
    ? [...m.html.matchAll(/href\s*=\s*"([^"]+)"/gi)].map((x) => x[1] ?? '')
    : [...m.text.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((x) => x[0]);
  const decoded = found.map((href) => href.replaceAll('&amp;', '&')).filter((href) => /^https?:\/\//i.test(href));
  return [...new Set(decoded)];
}

/** One message: its headers, its links, its HTML (sandboxed) and its text. */
export function renderMessage(m: ReceivedMessage): string {
  const facts: [string, string][] = [
    ['Subject', m.subject],
    ['From', m.from ?? ''],
    ['To', m.to.join(', ')],
    ['Received', m.receivedAt],
    ['Message-ID', m.messageId ?? ''],
  ];
  const links = linksOf(m);
  return layout(
    m.subject || 'Message',
    `<p><a href="/inbox">← Inbox</a></p><h1>${esc(m.subject || '(no subject)')}</h1>` +
      `<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` +
      (links.length
        ? `<h2>Links</h2><ul class="links">${links.map((l) => `<li><a href="${esc(l)}">${esc(l)}</a></li>`).join('')}</ul>`
        : '') +
      (m.html ? `<h2>HTML</h2><iframe title="The message as HTML" sandbox srcdoc="${esc(m.html)}"></iframe>` : '') +
      `<h2>Text</h2><pre>${esc(m.text)}</pre>`,
  );
}
