import { invalidRequest } from './errors';

export type Lookup = (id: string) => unknown;

/**
 * Apply `expand[]` paths (`latest_invoice`, `data.default_payment_method`, `items.data.price.product`)
 * by replacing id strings with the objects they name. Objects are copied so a response can never
 * alias the stored state.
 */
export function applyExpand(value: unknown, paths: string[], lookup: Lookup): unknown {
  let result = value;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4) throw invalidRequest(`You cannot expand more than 4 levels of a property (${path}).`, 'expand');
    result = expandPath(result, segments, lookup, path);
  }
  return result;
}

function expandPath(node: unknown, segments: string[], lookup: Lookup, fullPath: string): unknown {
  if (Array.isArray(node)) return node.map((item) => expandPath(item, segments, lookup, fullPath));
  if (node === null || typeof node !== 'object') return node;
  const [head, ...rest] = segments;
  if (head === undefined) return node;
  const record = node as Record<string, unknown>;
  if (!(head in record)) throw invalidRequest(`This property cannot be expanded (${fullPath}).`, 'expand');
  let child = record[head];
  if (typeof child === 'string') {
    const found = lookup(child);
    if (found === undefined) throw invalidRequest(`This property cannot be expanded (${fullPath}).`, 'expand');
    child = structuredClone(found);
  }
  return { ...record, [head]: rest.length > 0 ? expandPath(child, rest, lookup, fullPath) : child };
}
