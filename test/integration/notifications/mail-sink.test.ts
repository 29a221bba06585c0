import { spawn } from 'node:child_process';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { createMailSink, type MailSink } from '../../../tools/mail-sink';
import { ROOT, freePort, waitForHttp } from '../../../tools/support/processes';
import { runEntryPoint } from '../../helpers/processes';
import { inbox, injectSmtpFaults } from './helpers';

jest.setTimeout(30_000);

const MAIN = 'tools/mail-sink/main.ts';

let sink: MailSink;
beforeAll(async () => {
  sink = await createMailSink();
});
afterAll(() => sink.close());
beforeEach(async () => {
  await fetch(`${sink.httpUrl}/messages`, { method: 'DELETE' });
  await injectSmtpFaults(sink, { rejectNext: 0 });
});

function send(to: string, subject: string) {
  return nodemailer
    .createTransport(sink.smtpUrl)
    .sendMail({ from: 'billing@example.test', to, subject, text: `Body of ${subject}` });
}

describe('the mail sink', () => {
  test('accepts mail over SMTP without authentication and lists it newest last, filtered by recipient', async () => {
    await send('ann@example.test', 'first');
    await send('bob@example.test', 'second');
    await send('Ann@Example.test', 'third');

    expect((await inbox(sink)).map((m) => m.subject)).toEqual(['first', 'second', 'third']);
    const anns = await inbox(sink, 'ann@example.test');
    expect(anns.map((m) => m.subject)).toEqual(['first', 'third']);
    expect(anns[0]).toMatchObject({
      from: 'billing@example.test',
      text: 'Body of first',
      envelope: { mailFrom: 'billing@example.test' },
    });
  });

  test('DELETE /messages empties the inbox and /health reports the count', async () => {
    await send('ann@example.test', 'one');
    expect(await (await fetch(`${sink.httpUrl}/health`)).json()).toEqual({
      status: 'ok',
      smtpPort: sink.smtpPort,
      messages: 1,
    });
    expect((await fetch(`${sink.httpUrl}/messages`, { method: 'DELETE' })).status).toBe(204);
    expect(await inbox(sink)).toEqual([]);
  });

  test('the fault switch refuses the next N messages with the chosen SMTP code and does not keep them', async () => {
    await injectSmtpFaults(sink, { rejectNext: 2, code: 451 });
    await expect(send('ann@example.test', 'refused 1')).rejects.toMatchObject({ responseCode: 451 });
    await expect(send('ann@example.test', 'refused 2')).rejects.toMatchObject({ responseCode: 451 });
    await send('ann@example.test', 'accepted');
    expect((await inbox(sink)).map((m) => m.subject)).toEqual(['accepted']);
    expect(await (await fetch(`${sink.httpUrl}/faults`)).json()).toMatchObject({ rejectNext: 0 });
  });

  test('invalid fault settings are answered with 400', async () => {
    for (const body of [
      '{"rejectNext":-1}',
      '{"rejectNext":1,"code":250}',
      'not json',
      '{"rejectNext":1,"extra":true}',
    ]) {
      const res = await fetch(`${sink.httpUrl}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    }
  });

  test('the CLI listens on the ports it is given, and rejects a malformed port', async () => {
    const [smtpPort, httpPort] = [await freePort(), await freePort()];
    // The way scripts/services.sh starts it.
    const child = spawn(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [path.join(ROOT, MAIN), '--smtp-port', String(smtpPort), '--http-port', String(httpPort)],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const health = await waitForHttp(`http://127.0.0.1:${httpPort}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', smtpPort });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    const bad = await runEntryPoint(MAIN, {}, ['--smtp-port', 'twenty-five']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--smtp-port/);
  });

  test('shows the inbox as HTML for a person: the list, and a message with its links and its HTML sandboxed', async () => {
    await nodemailer.createTransport(sink.smtpUrl).sendMail({
      from: 'billing@example.test',
      to: 'ann@example.test',
      subject: 'Usage <80 %>',
      text: 'See http://127.0.0.1:3000/billing/usage',
      html: '<p>See <a href="http://127.0.0.1:3000/billing/usage?from=email&amp;m=1">your usage</a></p><script>x()</script>',
    });
    const list = await fetch(`${sink.httpUrl}/`);
    expect(list.headers.get('content-type')).toContain('text/html');
    expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
    const listHtml = await list.text();
    expect(listHtml).toContain('Usage &#60;80 %&#62;');
    const id = (await inbox(sink))[0]?.id ?? '';
    expect(listHtml).toContain(`/inbox/${id}`);

    const message = await (await fetch(`${sink.httpUrl}/inbox/${id}`)).text();
    expect(message).toContain('<a href="http://127.0.0.1:3000/billing/usage?from=email&#38;m=1">');
    expect(message).toMatch(/<iframe title="The message as HTML" sandbox srcdoc="[^"]*&#60;script&#62;/);
    expect(message).not.toContain('<script>');
    expect((await fetch(`${sink.httpUrl}/inbox/nope`)).status).toBe(404);
    expect((await fetch(`${sink.httpUrl}/inbox?to=x`)).status).toBe(400);
  });
});
