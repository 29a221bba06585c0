import { invalidRequest } from './errors';

export type Lookup = (id: string) => unknown;
/** Fields Stripe leaves out unless `expand[]` names them (includable), computed on demand. */
export type Includable = (record: Record<string, unknown>, field: string) => { value: unknown } | undefined;

/**
 * Apply `expand[]` paths (`latest_invoice`, `data.default_payment_method`, `items.data.price.product`)
 * by replacing id strings with the objects they name. Objects are copied so a response can never
 * alias the stored state.
 */
export function applyExpand(
  value: unknown,
  paths: string[],
  lookup: Lookup,
  includable: Includable = () => undefined,
): unknown {
  let result = value;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4)
      throw invalidRequest(`You cannot expand more than 4 levels of a property (${path}).`, 'expand');
    result = expandPath(result, segments, { lookup, includable, fullPath: path });
  }
  return result;
}

interface ExpandContext {
  lookup: Lookup;
  includable: Includable;
  fullPath: string;
}

function expandPath(node: unknown, segments: string[], ctx: ExpandContext): unknown {
  if (Array.isArray(node)) return node.map((item) => expandPath(item, segments, ctx));
  if (node === null || typeof node !== 'object') return node;
  const [head, ...rest] = segments;
  if (head === undefined) return node;
  const record = node as Record<string, unknown>;
  const included = head in record ? undefined : ctx.includable(record, head);
  if (!(head in record) && !included)
    throw invalidRequest(`This property cannot be expanded (${ctx.fullPath}).`, 'expand');
  const { lookup, fullPath } = ctx;
  const resolve = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const found = lookup(value);
    if (found === undefined) throw invalidRequest(`This property cannot be expanded (${fullPath}).`, 'expand');
    return structuredClone(found);
  };
  const raw = included ? included.value : record[head];
  // A list of ids (a subscription's `discounts`) expands element by element.
  const child = Array.isArray(raw) ? raw.map(resolve) : resolve(raw);
  return { ...record, [head]: rest.length > 0 ? expandPath(child, rest, ctx) : child };
}
