import { StripeApiError } from '../../http/errors';
import { inRange, paginate } from '../../http/list';
import { Router } from '../../http/router';

describe('list pagination', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));

  it('pages forward with starting_after and backward with ending_before', () => {
    expect(paginate(items, '/v1/x', { limit: 2 })).toMatchObject({ data: [{ id: 'a' }, { id: 'b' }], has_more: true });
    expect(paginate(items, '/v1/x', { limit: 2, starting_after: 'd' })).toMatchObject({
      data: [{ id: 'e' }],
      has_more: false,
    });
    expect(paginate(items, '/v1/x', { limit: 2, ending_before: 'd' })).toMatchObject({
      data: [{ id: 'b' }, { id: 'c' }],
      has_more: true,
    });
  });

  it('rejects an unknown cursor', () => {
    expect(() => paginate(items, '/v1/x', { starting_after: 'zz' })).toThrow(StripeApiError);
  });

  it('filters created ranges', () => {
    expect(inRange(5, { gte: 5, lt: 6 })).toBe(true);
    expect(inRange(6, { gte: 5, lt: 6 })).toBe(false);
    expect(inRange(5, 5)).toBe(true);
  });
});

describe('router', () => {
  it('prefers literal segments over parameters', () => {
    const router = new Router()
      .post('/v1/invoices/:id', () => 'by-id')
      .post('/v1/invoices/create_preview', () => 'preview');
    expect(
      router
        .match('POST', '/v1/invoices/create_preview')
        ?.handler({ pathParams: {}, params: {}, method: 'POST', path: '' }),
    ).toBe('preview');
    expect(router.match('POST', '/v1/invoices/in_1')?.pathParams).toEqual({ id: 'in_1' });
    expect(router.match('GET', '/v1/invoices/in_1')).toBeUndefined();
  });
});
