export interface TemplateContext {
  /** The product's public base URL, e.g. https://app.example.com (no trailing slash needed). */
  publicUrl: string;
}

export function links(ctx: TemplateContext): { paymentMethod: string; billing: string; usage: string } {
  const base = ctx.publicUrl.replace(/\/+$/, '');
  return {
    paymentMethod: `${base}/billing/payment-method`,
    billing: `${base}/billing`,
    usage: `${base}/billing/usage`,
  };
}
