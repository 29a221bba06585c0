import { parseMailSinkArgs } from '../../../tools/mail-sink/cli-args';
import { MessageStore } from '../../../tools/mail-sink/message-store';
import type { ParsedMessage } from '../../../tools/mail-sink/parse-message';

const parsed = (subject: string): ParsedMessage => ({
  headers: {},
  messageId: null,
  from: 'billing@example.com',
  to: ['a@example.com'],
  cc: [],
  subject,
  text: '',
  html: null,
});

describe('the mail sink keeps a window of messages', () => {
  it('keeps 1,000 by default and --capacity more or fewer, validated', () => {
    expect(parseMailSinkArgs([]).capacity).toBe(1_000);
    expect(parseMailSinkArgs(['--capacity', '200000']).capacity).toBe(200_000);
    expect(() => parseMailSinkArgs(['--capacity', '0'])).toThrow(/--capacity/);
    expect(() => parseMailSinkArgs(['--capacity', 'many'])).toThrow(/--capacity/);
  });

  it('drops the oldest message past its capacity', () => {
    const store = new MessageStore(2);
    for (const subject of ['one', 'two', 'three'])
      store.add(parsed(subject), { mailFrom: null, rcptTo: [], connection: 'c1' });
    expect(store.list().map((m) => m.subject)).toEqual(['two', 'three']);
  });
});
