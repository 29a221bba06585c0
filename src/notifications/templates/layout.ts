/** A paragraph, or a call to action rendered as a labelled link. */
export type Block = string | { label: string; url: string };

export interface EmailContent {
  subject: string;
  blocks: Block[];
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const GREETING = 'Hello,';
const SIGNATURE = 'Thank you,\nThe Billing team';
const FOOTER = 'You receive this email because you are the billing contact of your organization.';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function blockText(block: Block): string {
  return typeof block === 'string' ? block : `${block.label}:\n${block.url}`;
}

function blockHtml(block: Block): string {
  if (typeof block === 'string') return `<p>${escapeHtml(block).replace(/\n/g, '<br>')}</p>`;
  return `<p><a href="${escapeHtml(block.url)}">${escapeHtml(block.label)}</a></p>`;
}

/** One layout for every kind, so the plain-text and HTML versions always say the same thing. */
export function renderLayout(content: EmailContent): RenderedEmail {
  const textBlocks = [GREETING, ...content.blocks.map(blockText), SIGNATURE, '--', FOOTER];
  const htmlBlocks = [GREETING, ...content.blocks, SIGNATURE].map(blockHtml);
  return {
    subject: content.subject,
    text: `${textBlocks.join('\n\n')}\n`,
    html: [
      '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
      ...htmlBlocks,
      `<hr><p style="color: #666; font-size: 12px">${escapeHtml(FOOTER)}</p>`,
      '</body></html>',
    ].join('\n'),
  };
}
