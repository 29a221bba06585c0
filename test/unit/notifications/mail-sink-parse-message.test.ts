import { parseMessage } from '../../../tools/mail-sink/parse-message';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

describe('the mail sink message parser (mailparser)', () => {
  test('reads headers and a plain 7-bit body', async () => {
    const parsed = await parseMessage(
      crlf([
        'From: Billing <billing@localhost>',
        'To: ann@example.com',
        'Subject: Hello',
        ' there',
        '',
        'Line one',
        'Line two',
        '',
      ]),
    );
    expect(parsed).toMatchObject({
      from: 'billing@localhost',
      to: ['ann@example.com'],
      subject: 'Hello there',
      text: 'Line one\nLine two',
      html: null,
    });
  });

  test('takes the text and HTML parts of a multipart/alternative message, decoding quoted-printable and base64', async () => {
    const parsed = await parseMessage(
      crlf([
        'To: "Doe, Ann" <ann@example.com>, bob@example.com',
        'Subject: =?UTF-8?Q?Caf=C3=A9?= =?UTF-8?B?IOKckw==?=',
        'Content-Type: multipart/alternative; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Caf=C3=A9 with a soft=',
        ' break',
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('<p>Café</p>').toString('base64'),
        '--b1--',
        '',
      ]),
    );
    expect(parsed.to).toEqual(['ann@example.com', 'bob@example.com']);
    expect(parsed.subject).toBe('Café ✓');
    expect(parsed.text).toBe('Café with a soft break');
    expect(parsed.html).toBe('<p>Café</p>');
  });

  test('leaves plain header text and addresses without display names untouched', async () => {
    const parsed = await parseMessage(
      crlf(['From: ops@example.com', 'Subject: Payment of $29.00 failed', '', 'x', '']),
    );
    expect(parsed).toMatchObject({ from: 'ops@example.com', subject: 'Payment of $29.00 failed', cc: [] });
    expect(parsed.headers.subject).toBe('Payment of $29.00 failed');
  });
});
