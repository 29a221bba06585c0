import { createPeriodic } from '../../../src/background/periodic';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a periodic service runs its first round at start, then one round per interval', async () => {
  let rounds = 0;
  const service = createPeriodic({
    name: 'probe',
    intervalMs: 50,
    round: async () => void (rounds += 1),
    onError: () => undefined,
  });
  service.start();
  await tick(10);
  expect(rounds).toBe(1);
  await tick(120);
  await service.stop();
  expect(rounds).toBeGreaterThanOrEqual(2);
  expect(rounds).toBeLessThanOrEqual(4);
});

test('a round that reports more due is followed at once; a nudge cuts the pause short', async () => {
  const due = [true, true, false];
  let rounds = 0;
  const service = createPeriodic({
    name: 'probe',
    intervalMs: 60_000,
    round: async () => ({ moreDue: due[rounds++] ?? false }),
    onError: () => undefined,
  });
  service.start();
  await tick(20);
  expect(rounds).toBe(3);
  service.nudge();
  await tick(20);
  expect(rounds).toBe(4);
  await service.stop();
});

test('a failing round is reported and the loop carries on; stop waits for the round in flight', async () => {
  const errors: unknown[] = [];
  let finished = 0;
  let calls = 0;
  const service = createPeriodic({
    name: 'probe',
    intervalMs: 10,
    round: async () => {
      calls += 1;
      if (calls === 1) throw new Error('database blip');
      await tick(30);
      finished += 1;
    },
    onError: (err) => errors.push(err),
  });
  service.start();
  await tick(25);
  await service.stop();
  expect(errors).toEqual([new Error('database blip')]);
  expect(finished).toBe(calls - 1);
  const after = calls;
  await tick(40);
  expect(calls).toBe(after);
});
