import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TEST_CARD_ROWS } from '../../billing/test-cards';
import { cardTableMarkdown } from '../card-table';

test('the README shows the card table the simulator runs on', () => {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  expect(readme).toContain(cardTableMarkdown(TEST_CARD_ROWS));
});
