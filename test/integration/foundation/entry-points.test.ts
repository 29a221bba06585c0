import { TEST_DATABASE_URL } from '../../helpers/db';
import { freePort, waitForHttp } from '../../../tools/support/processes';
import { runEntryPoint, startEntryPoint } from '../../helpers/processes';
import { TEMPORAL_ADDRESS } from '../../helpers/temporal';

jest.setTimeout(90_000);

describe.each(['src/server.ts', 'src/worker.ts'])('%s', (entry) => {
  test('a malformed variable stops it with a non-zero exit naming the variable', async () => {
    const result = await runEntryPoint(entry, { PORT: 'abc' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/PORT/);
  });
});

describe('the API process', () => {
  test('answers /healthz and /readyz, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const api = startEntryPoint('src/server.ts', {
      PORT: String(port),
      DATABASE_URL: TEST_DATABASE_URL,
      TEMPORAL_ADDRESS,
      LOG_LEVEL: 'warn',
    });
    try {
      expect((await waitForHttp(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        checks: { postgres: { ok: true }, temporal: { ok: true } },
      });
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  test('/readyz answers 503 naming Postgres when Postgres is unreachable', async () => {
    const [port, deadPort] = [await freePort(), await freePort()];
    const api = startEntryPoint('src/server.ts', {
      PORT: String(port),
      DATABASE_URL: `postgres://billing:billing@127.0.0.1:${deadPort}/billing`,
      TEMPORAL_ADDRESS,
      LOG_LEVEL: 'warn',
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
      expect(body.checks.postgres?.ok).toBe(false);
      expect(body.checks.postgres?.error).toBeTruthy();
      expect(body.checks.temporal?.ok).toBe(true);
    } finally {
      await api.stop();
    }
  });
});
