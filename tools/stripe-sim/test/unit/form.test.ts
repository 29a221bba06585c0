import { encodeForm, parseForm, splitKey } from '../../http/form';

describe('form parsing', () => {
  it('splits bracketed keys', () => {
    expect(splitKey('items[0][price]')).toEqual(['items', '0', 'price']);
    expect(splitKey('expand[]')).toEqual(['expand', '']);
    expect(splitKey('email')).toEqual(['email']);
  });

  it('builds nested objects and indexed arrays as the SDK sends them', () => {
    const body =
      'customer=cus_1&items[0][price]=price_a&items[0][quantity]=2&items[1][price]=price_b&metadata[org]=o%201&expand[0]=latest_invoice';
    expect(parseForm(body)).toEqual({
      customer: 'cus_1',
      items: [{ price: 'price_a', quantity: '2' }, { price: 'price_b' }],
      metadata: { org: 'o 1' },
      expand: ['latest_invoice'],
    });
  });

  it('accepts empty-bracket arrays, plus-encoded spaces and empty values', () => {
    expect(parseForm('expand[]=a&expand[]=b&name=Ada+Lovelace&description=')).toEqual({
      expand: ['a', 'b'],
      name: 'Ada Lovelace',
      description: '',
    });
  });

  it('keeps numeric metadata keys as object keys', () => {
    expect(parseForm('metadata[0]=zero&metadata[1]=one')).toEqual({ metadata: { 0: 'zero', 1: 'one' } });
  });

  it('orders sparse indexes numerically', () => {
    expect(parseForm('a[10]=ten&a[2]=two')).toEqual({ a: ['two', 'ten'] });
  });

  it('round-trips through encodeForm', () => {
    const value = { items: [{ price: 'p', quantity: '1' }], metadata: { 'a b': 'c&d' }, expand: ['x.y'] };
    expect(parseForm(encodeForm(value))).toEqual(value);
  });
});
