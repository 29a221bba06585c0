import { endpointOf, RequestLog } from '../../control/request-log';

const entry = (method: string, path: string) => ({
  requestId: 'req_1',
  method,
  path,
  query: '',
  body: '',
  idempotencyKey: null,
  stripeVersion: null,
  status: 200,
  at: new Date(0).toISOString(),
});

describe('the request log counts requests per endpoint', () => {
  it('names an endpoint as Stripe limits it: ids replaced, action words kept', () => {
    expect(endpointOf('POST', '/v1/invoices/in_1AbCdEfGh2345678/pay')).toBe('POST /v1/invoices/:id/pay');
    expect(endpointOf('GET', '/v1/subscriptions/sub_9zYxWvUtSrQp')).toBe('GET /v1/subscriptions/:id');
    expect(endpointOf('POST', '/v1/invoices/in_1AbCdEfGh2345678/mark_uncollectible')).toBe(
      'POST /v1/invoices/:id/mark_uncollectible',
    );
    expect(endpointOf('POST', '/v1/test_helpers/test_clocks')).toBe('POST /v1/test_helpers/test_clocks');
    expect(endpointOf('POST', '/v1/invoices/create_preview')).toBe('POST /v1/invoices/create_preview');
  });

  it('keeps counting past the entry cap, and a clear starts both over', () => {
    const log = new RequestLog(2);
    for (let i = 0; i < 5; i += 1) log.record(entry('GET', `/v1/invoices/in_${i}AbCdEfGh2345678`));
    log.record(entry('POST', '/v1/invoices/in_1AbCdEfGh2345678/pay'));
    expect(log.all()).toHaveLength(2);
    expect(log.countsByEndpoint()).toEqual({ 'GET /v1/invoices/:id': 5, 'POST /v1/invoices/:id/pay': 1 });
    log.clear();
    expect(log.countsByEndpoint()).toEqual({});
    expect(log.all()).toEqual([]);
  });
});
