import { createDb, preparedQuery } from '../../../src/db/database';

test('a prepared statement name given a second text is refused before it reaches Postgres', async () => {
  const db = createDb({ url: 'postgres://nobody@127.0.0.1:1/none', poolMax: 1 });
  const name = 'unit_two_texts_v1';
  await preparedQuery(db, { name, text: 'select 1' }, []).catch(() => undefined);
  await expect(preparedQuery(db, { name, text: 'select 2' }, [])).rejects.toThrow(/two texts/);
  await db.destroy();
});
