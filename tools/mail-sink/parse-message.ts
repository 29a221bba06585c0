/**
 * A deliberately small RFC 5322 / MIME reader: enough for what nodemailer produces (plain text,
 * multipart/alternative with HTML, quoted-printable or base64 parts, RFC 2047 encoded headers).
 * The sink is a test instrument, not a mail client; attachments are ignored.
 */
export interface ParsedMessage {
  headers: Record<string, string>;
  messageId: string | null;
  from: string | null;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
}

interface Part {
  headers: Record<string, string>;
  /** Raw bytes as a latin1 string so 8-bit content survives until its charset is known. */
  body: string;
}

function splitHeaders(raw: string): Part {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // The first occurrence wins: later duplicates (e.g. Received) are trace headers we don't need.
    headers[name] ??= line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeBytes(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function quotedPrintableBytes(text: string, inHeader: boolean): Buffer {
  const softBreaksRemoved = (inHeader ? text.replace(/_/g, ' ') : text).replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < softBreaksRemoved.length; i++) {
    const hex = softBreaksRemoved.slice(i + 1, i + 3);
    if (softBreaksRemoved[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(softBreaksRemoved.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047: `=?utf-8?Q?Caf=C3=A9?=` → `Café`; whitespace between adjacent encoded words is dropped. */
export function decodeHeaderValue(value: string): string {
  // Raw 8-bit header bytes (SMTPUTF8) are UTF-8; encoded words are ASCII and decoded after that.
  const utf8 = decodeBytes(Buffer.from(value, 'latin1'), 'utf-8');
  return utf8
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) =>
      decodeBytes(enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : quotedPrintableBytes(text, true), charset),
    );
}

function contentType(headers: Record<string, string>): { type: string; params: Record<string, string> } {
  const [type = 'text/plain', ...rest] = (headers['content-type'] ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0)
      params[param.slice(0, eq).trim().toLowerCase()] = param
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeBody(part: Part, charset: string): string {
  const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? quotedPrintableBytes(part.body, false)
        : Buffer.from(part.body, 'latin1');
  return decodeBytes(bytes, charset).replace(/\n$/, '');
}

function collectBodies(part: Part, found: { text?: string; html?: string }): void {
  const { type, params } = contentType(part.headers);
  if ((part.headers['content-disposition'] ?? '').toLowerCase().startsWith('attachment')) return;
  if (type.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const sections = part.body.split(
      new RegExp(`^${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*$`, 'm'),
    );
    // sections[0] is the preamble and the last one the epilogue.
    for (const section of sections.slice(1, -1)) collectBodies(splitHeaders(section.replace(/^\n/, '')), found);
    return;
  }
  const charset = params.charset ?? 'utf-8';
  if (type === 'text/plain' && found.text === undefined) found.text = decodeBody(part, charset);
  if (type === 'text/html' && found.html === undefined) found.html = decodeBody(part, charset);
}

/** `"Billing" <billing@example.com>, ops@example.com` → the bare addresses. */
export function parseAddressList(value: string | undefined): string[] {
  if (!value) return [];
  const entries = value.match(/(?:"[^"]*"|[^,])+/g) ?? [];
  return entries
    .map((entry) => (/<([^>]+)>/.exec(entry)?.[1] ?? entry).trim())
    .filter((address) => address.includes('@'));
}

export function parseMessage(raw: Buffer): ParsedMessage {
  const root = splitHeaders(raw.toString('latin1'));
  const headers = Object.fromEntries(Object.entries(root.headers).map(([k, v]) => [k, decodeHeaderValue(v)]));
  const found: { text?: string; html?: string } = {};
  collectBodies(root, found);
  return {
    headers,
    messageId: headers['message-id'] ?? null,
    from: parseAddressList(headers.from)[0] ?? null,
    to: parseAddressList(headers.to),
    cc: parseAddressList(headers.cc),
    subject: headers.subject ?? '',
    text: found.text ?? '',
    html: found.html ?? null,
  };
}
