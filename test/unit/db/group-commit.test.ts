import { createGroupCommit } from '../../../src/db/group-commit';

/** A write that records each group and settles when the test says. */
function recorder(fail: (group: readonly string[]) => boolean = () => false) {
  const groups: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (group: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      groups.push([...group]);
      pending.push(() =>
        fail(group) ? reject(new Error(`refused ${group.join(',')}`)) : resolve(group.map((g) => `${g}!`)),
      );
    });
  const settleNext = async () => {
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { groups, write, settleNext, waiting: () => pending.length };
}

it('sends the first item at once and the items that arrive meanwhile together in the next statement', async () => {
  const r = recorder();
  const submit = createGroupCommit({ write: r.write, maxSize: 10 });
  const results = ['a', 'b', 'c', 'd'].map(submit);
  expect(r.groups).toEqual([['a']]);
  await r.settleNext();
  expect(r.groups).toEqual([['a'], ['b', 'c', 'd']]);
  await r.settleNext();
  await expect(Promise.all(results)).resolves.toEqual(['a!', 'b!', 'c!', 'd!']);
});

it('keeps a group within maxSize by sizeOf, and a larger item goes alone', async () => {
  const r = recorder();
  const submit = createGroupCommit({ write: r.write, maxSize: 4, sizeOf: (s: string) => s.length });
  const results = ['x', 'aa', 'bb', 'c', 'dddddd', 'e'].map(submit);
  while (r.waiting() > 0) await r.settleNext();
  expect(r.groups).toEqual([['x'], ['aa', 'bb'], ['c'], ['dddddd'], ['e']]);
  await expect(Promise.all(results)).resolves.toHaveLength(6);
});

it('runs up to maxInFlight statements at once', async () => {
  const r = recorder();
  const submit = createGroupCommit({ write: r.write, maxSize: 10, maxInFlight: 2 });
  const results = ['a', 'b', 'c', 'd'].map(submit);
  expect(r.groups).toEqual([['a'], ['b']]);
  await r.settleNext();
  expect(r.groups).toEqual([['a'], ['b'], ['c', 'd']]);
  while (r.waiting() > 0) await r.settleNext();
  await expect(Promise.all(results)).resolves.toEqual(['a!', 'b!', 'c!', 'd!']);
});

it('writes each item of a failed group alone, so only the one refused fails', async () => {
  const r = recorder((group) => group.includes('bad'));
  const submit = createGroupCommit({ write: r.write, maxSize: 10 });
  const results = ['a', 'b', 'bad', 'c'].map((item) => submit(item).then(String, (err: Error) => err.message));
  while (r.waiting() > 0) await r.settleNext();
  expect(r.groups).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  await expect(Promise.all(results)).resolves.toEqual(['a!', 'b!', 'refused bad', 'c!']);
});
