import { invalidRequest } from './errors';

export interface ListOptions {
  limit?: number | undefined;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** Cursor pagination over a newest-first list, as Stripe's list endpoints do. */
export function paginate<T extends { id?: string | null }>(items: T[], url: string, opts: ListOptions): ListPage<T> {
  const limit = opts.limit ?? 10;
  let start = 0;
  let end = items.length;
  if (opts.starting_after) {
    const idx = items.findIndex((i) => i.id === opts.starting_after);
    if (idx === -1)
      throw invalidRequest(`No such object: '${opts.starting_after}'`, 'starting_after', 'resource_missing');
    start = idx + 1;
  }
  if (opts.ending_before) {
    const idx = items.findIndex((i) => i.id === opts.ending_before);
    if (idx === -1)
      throw invalidRequest(`No such object: '${opts.ending_before}'`, 'ending_before', 'resource_missing');
    end = idx;
    start = Math.max(start, end - limit);
  }
  const data = items.slice(start, Math.min(end, start + limit));
  const has_more = opts.ending_before ? start > 0 : start + limit < end;
  return { object: 'list', data, has_more, url };
}

/** Stripe's `created[gte]=...` style filters. */
export function inRange(
  value: number,
  range:
    | number
    | { gt?: number | undefined; gte?: number | undefined; lt?: number | undefined; lte?: number | undefined }
    | undefined,
): boolean {
  if (range === undefined) return true;
  if (typeof range === 'number') return value === range;
  return (
    (range.gt === undefined || value > range.gt) &&
    (range.gte === undefined || value >= range.gte) &&
    (range.lt === undefined || value < range.lt) &&
    (range.lte === undefined || value <= range.lte)
  );
}
