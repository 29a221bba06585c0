import { simpleParser, type AddressObject, type HeaderValue } from 'mailparser';

/** What the sink keeps of a message, parsed by mailparser (a maintained MIME parser: any charset, encoding, nesting). */
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

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((group) => group.value.flatMap((a) => [a.address, ...(a.group ?? []).map((g) => g.address)]))
    .filter((a): a is string => typeof a === 'string' && a.includes('@'));

function headerText(value: HeaderValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toUTCString();
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(', ');
  if (value && typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('value' in value && typeof value.value === 'string') return value.value;
  }
  return String(value);
}

export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const headers = Object.fromEntries([...mail.headers].map(([name, value]) => [name, headerText(value)]));
  return {
    headers,
    messageId: mail.messageId ?? null,
    from: addresses(mail.from)[0] ?? null,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject ?? '',
    text: (mail.text ?? '').replace(/\n$/, ''),
    html: typeof mail.html === 'string' ? mail.html : null,
  };
}
