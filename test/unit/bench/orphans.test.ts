import { keptComment, orphanedRunDatabases, ownerComment, processAlive } from '../../../bench/scale/orphans';

describe("a run's database left by a killed driver", () => {
  const alive = (pid: number) => pid === 100;

  it('is dropped when its driver on this host is gone, and only then', () => {
    const orphans = orphanedRunDatabases(
      [
        { name: 'billing_scale_dead', comment: ownerComment(200, 'here') },
        { name: 'billing_scale_running', comment: ownerComment(100, 'here') },
        { name: 'billing_scale_elsewhere', comment: ownerComment(200, 'there') },
        { name: 'billing_scale_kept', comment: keptComment('here') },
        { name: 'billing_scale_unmarked', comment: null },
        { name: 'billing_test', comment: ownerComment(200, 'here') },
      ],
      'here',
      alive,
    );
    expect(orphans).toEqual(['billing_scale_dead']);
  });

  it('reads a pid from the mark whole, not a prefix of it', () => {
    const orphans = orphanedRunDatabases(
      [{ name: 'billing_scale_x', comment: `${ownerComment(10, 'here')}0` }],
      'here',
      (pid) => pid !== 100,
    );
    expect(orphans).toEqual([]);
  });

  it('knows a running process from a finished one', async () => {
    expect(processAlive(process.pid)).toBe(true);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once('exit', resolve));
    expect(processAlive(pid)).toBe(false);
  });
});
