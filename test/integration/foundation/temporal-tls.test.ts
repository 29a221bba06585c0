import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, type Config } from '../../../src/config';
import { checkTemporal, createTemporalClient } from '../../../src/temporal-connection';
import { TEMPORAL_ADDRESS } from '../../helpers/temporal';
import { makeTestCertificates, startTlsProxy, type TestCertificates } from '../../helpers/tls-proxy';

/** The client's connection (API, CLI) and the worker's native one, both from the same configuration. */
async function bothConnect(config: Config['temporal']): Promise<void> {
  const { connection } = createTemporalClient(config);
  try {
    await checkTemporal(connection, config.namespace);
  } finally {
    await connection.close();
  }
  const native = await NativeConnection.connect({ ...config.connection });
  try {
    await checkTemporal(native, config.namespace);
  } finally {
    await native.close();
  }
}

describe('Temporal over TLS and mTLS, configured by the TEMPORAL_TLS_* variables', () => {
  let dir: string;
  let certs: TestCertificates;
  let otherCa: TestCertificates;
  let mtls: Awaited<ReturnType<typeof startTlsProxy>>;
  let tls: Awaited<ReturnType<typeof startTlsProxy>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'billing-temporal-tls-'));
    certs = makeTestCertificates(dir);
    otherCa = makeTestCertificates(mkdtempSync(path.join(dir, 'other-')), 'some-other-ca');
    mtls = await startTlsProxy({ target: TEMPORAL_ADDRESS, certs, mutual: true });
    tls = await startTlsProxy({ target: TEMPORAL_ADDRESS, certs, mutual: false });
  });
  afterAll(async () => {
    await Promise.all([mtls?.close(), tls?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('mTLS: the client and the worker connect with the client pair and a private CA', async () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.billing.test',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    });
    expect(config.temporal.summary.tls).toBe('mtls');
    await bothConnect(config.temporal);
    expect(mtls.handshakes()).toBeGreaterThanOrEqual(2);
  }, 30_000);

  test('TLS with an API key and a CA given as data: the server certificate is checked against it', async () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: tls.address,
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: readFileSync(certs.caCert, 'utf8'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.billing.test',
      TEMPORAL_API_KEY: 'dev-server-ignores-this-key',
    });
    expect(config.temporal.summary).toMatchObject({ tls: 'tls', apiKey: true });
    await bothConnect(config.temporal);
  }, 30_000);

  test('mTLS without the client pair is refused by the server', async () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.billing.test',
    });
    await expect(NativeConnection.connect({ ...config.temporal.connection })).rejects.toThrow();
  }, 30_000);

  test('a server certificate from another CA is refused by the client', async () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: tls.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: otherCa.caCert,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.billing.test',
    });
    await expect(NativeConnection.connect({ ...config.temporal.connection })).rejects.toThrow();
  }, 30_000);
});
