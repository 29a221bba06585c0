import {
  CONTRACT_CHECK_TIMEOUT_MS,
  closeCheckingContract,
  eventTypes,
  startSimulator,
  type SimHarness,
} from './support';

describe('a customer’s billing identity on the simulator (address, name, tax IDs)', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(() => closeCheckingContract(h), CONTRACT_CHECK_TIMEOUT_MS);

  it('sets and unsets the address and name as Stripe does (an empty string unsets)', async () => {
    const customer = await h.stripe.customers.create({ email: 'a@example.com' });
    expect(customer.address).toBeNull();
    const updated = await h.stripe.customers.update(customer.id, {
      name: 'Acme GmbH',
      address: { line1: 'Friedrichstraße 68', city: 'Berlin', postal_code: '10117', country: 'DE' },
    });
    expect(updated.name).toBe('Acme GmbH');
    expect(updated.address).toEqual({
      line1: 'Friedrichstraße 68',
      line2: null,
      city: 'Berlin',
      postal_code: '10117',
      state: null,
      country: 'DE',
    });
    const cleared = await h.stripe.customers.update(customer.id, { name: '', address: '' });
    expect(cleared.name).toBeNull();
    expect(cleared.address).toBeNull();
    expect(await eventTypes(h.stripe, customer.id)).toContain('customer.updated');
  });

  it('creates, lists, retrieves and deletes tax IDs; EU VAT starts pending verification, a US EIN has none', async () => {
    const customer = await h.stripe.customers.create({ email: 'b@example.com' });
    const vat = await h.stripe.customers.createTaxId(customer.id, { type: 'eu_vat', value: 'fr ab 123456789' });
    expect(vat).toMatchObject({
      object: 'tax_id',
      type: 'eu_vat',
      value: 'FRAB123456789',
      country: 'FR',
      customer: customer.id,
      verification: { status: 'pending' },
    });
    const ein = await h.stripe.customers.createTaxId(customer.id, { type: 'us_ein', value: '12-3456789' });
    expect(ein).toMatchObject({ country: 'US', verification: null });
    const greek = await h.stripe.customers.createTaxId(customer.id, { type: 'eu_vat', value: 'EL123456789' });
    expect(greek.country).toBe('GR');
    const list = await h.stripe.customers.listTaxIds(customer.id);
    expect(list.data.map((t) => t.id)).toEqual([greek.id, ein.id, vat.id]);
    expect((await h.stripe.customers.retrieveTaxId(customer.id, ein.id)).value).toBe('12-3456789');
    expect(await h.stripe.customers.deleteTaxId(customer.id, ein.id)).toMatchObject({ id: ein.id, deleted: true });
    expect((await h.stripe.customers.listTaxIds(customer.id)).data).toHaveLength(2);
  });

  it('refuses a value that does not have its type’s format with tax_id_invalid, and another customer’s tax ID as missing', async () => {
    const customer = await h.stripe.customers.create({ email: 'c@example.com' });
    await expect(
      h.stripe.customers.createTaxId(customer.id, { type: 'eu_vat', value: 'DE12345' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'tax_id_invalid', param: 'value' });
    await expect(
      h.stripe.customers.createTaxId(customer.id, { type: 'gb_vat', value: '123456789' }),
    ).rejects.toMatchObject({ code: 'tax_id_invalid' });
    const other = await h.stripe.customers.create({ email: 'd@example.com' });
    const theirs = await h.stripe.customers.createTaxId(other.id, { type: 'ca_bn', value: '123456789' });
    await expect(h.stripe.customers.deleteTaxId(customer.id, theirs.id)).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });
});
