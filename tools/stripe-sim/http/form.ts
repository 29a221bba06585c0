/**
 * Stripe's wire format: `application/x-www-form-urlencoded` with PHP/Rack-style brackets,
 * e.g. `items[0][price]=p&expand[]=latest_invoice&metadata[org]=x`. The SDK always sends
 * indexed arrays; `[]` (curl style) is accepted too.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Metadata keys are free-form, so `metadata[0]=x` must stay an object key, never an array index. */
const OPAQUE_OBJECT_KEYS = new Set(['metadata', 'payload']);

export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  if (body.length === 0) return root;
  for (const pair of body.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    assign(root, splitKey(decode(rawKey)), decode(rawValue));
  }
  return arraysFromIndexedObjects(root, false) as FormObject;
}

function decode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/** `a[b][0][]` → ['a', 'b', '0', ''] */
export function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(key.slice(open))) !== null) parts.push(match[1] ?? '');
  return parts;
}

function assign(target: FormObject, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i += 1) {
    let segment = path[i] ?? '';
    const last = i === path.length - 1;
    if (segment === '') segment = String(Object.keys(node).length);
    if (last) {
      node[segment] = value;
      return;
    }
    const existing = node[segment];
    if (existing === undefined || typeof existing === 'string' || Array.isArray(existing)) {
      const child: FormObject = {};
      node[segment] = child;
      node = child;
    } else {
      node = existing;
    }
  }
}

function arraysFromIndexedObjects(value: FormValue, opaque: boolean): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: FormObject = {};
  for (const key of keys) {
    converted[key] = opaque
      ? (value[key] as FormValue)
      : arraysFromIndexedObjects(value[key] as FormValue, OPAQUE_OBJECT_KEYS.has(key));
  }
  const indexed = !opaque && keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
  if (!indexed) return converted;
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((k) => converted[String(k)] as FormValue);
}

/** The inverse, used to replay recorded requests and in tests. Mirrors the SDK's encoding. */
export function encodeForm(value: FormObject): string {
  const pairs: string[] = [];
  const walk = (prefix: string, v: FormValue): void => {
    if (typeof v === 'string') pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(v)}`);
    else if (Array.isArray(v)) v.forEach((item, i) => walk(`${prefix}[${i}]`, item));
    else for (const [k, item] of Object.entries(v)) walk(prefix ? `${prefix}[${k}]` : k, item);
  };
  walk('', value);
  return pairs.join('&');
}
