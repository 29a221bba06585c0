import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';

export interface TestCertificates {
  dir: string;
  /** File paths: the CA, the server's pair (SAN `temporal.billing.test` and 127.0.0.1), a client pair for mTLS. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA with a server and a client certificate (openssl, P-256, valid one day), written into `dir`. */
export function makeTestCertificates(dir: string, caName = 'billing-test-ca'): TestCertificates {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    `/CN=${caName}`,
  );
  const leaf = (name: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n${extensions}\n`);
    openssl('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    );
  };
  leaf('server', 'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:temporal.billing.test,IP:127.0.0.1');
  leaf('client', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    caCert: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

/**
 * A TLS front for a plaintext gRPC server (the Temporal CLI's dev server has no TLS options): it terminates
 * TLS, with client certificates required when `mutual`, and pipes the HTTP/2 stream to `target`, as a load
 * balancer or a service mesh sidecar in front of a Temporal frontend would.
 */
export async function startTlsProxy(opts: {
  target: string;
  certs: TestCertificates;
  mutual: boolean;
}): Promise<{ address: string; handshakes: () => number; close: () => Promise<void> }> {
  const [host, port] = [opts.target.slice(0, opts.target.lastIndexOf(':')), Number(opts.target.split(':').pop())];
  let handshakes = 0;
  const server: Server = createServer(
    {
      key: readFileSync(opts.certs.serverKey),
      cert: readFileSync(opts.certs.serverCert),
      ca: readFileSync(opts.certs.caCert),
      requestCert: opts.mutual,
      rejectUnauthorized: opts.mutual,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      handshakes += 1;
      const upstream = connect(port, host);
      socket.pipe(upstream).pipe(socket);
      const end = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', end);
      upstream.on('error', end);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    handshakes: () => handshakes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
