import { DemoArgsError, parseDemoArgs } from '../../../tools/demo/args';

describe('demo flags', () => {
  test('no flags play every chapter, keep the stack running and colour a terminal', () => {
    expect(parseDemoArgs([], true)).toMatchObject({
      fast: false,
      keepRunning: true,
      only: ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'wernham', 'vandelay'],
      color: true,
      apiUrl: undefined,
    });
  });

  test('--no-keep-running, --fast, --only and URLs are read; trailing slashes are dropped', () => {
    const options = parseDemoArgs(
      ['--no-keep-running', '--fast', '--only', 'Acme, initech', '--api-url', 'http://127.0.0.1:3100/', '--no-color'],
      true,
    );
    expect(options).toMatchObject({
      keepRunning: false,
      fast: true,
      only: ['acme', 'initech'],
      color: false,
      apiUrl: 'http://127.0.0.1:3100',
    });
  });

  test('--help and -h ask for the usage', () => {
    expect(parseDemoArgs(['--help'], false).help).toBe(true);
    expect(parseDemoArgs(['-h'], false).help).toBe(true);
    expect(parseDemoArgs([], false).help).toBe(false);
  });

  test('output that is not a terminal is never coloured', () => {
    expect(parseDemoArgs([], false).color).toBe(false);
  });

  test.each([
    [['--bogus'], /bogus/],
    [['--only', 'acme,wayne'], /--only/],
    [['--only', ''], /--only/],
    [['--api-url', 'not a url'], /--api-url/],
    [['--keep-running', '--no-keep-running'], /contradict/],
    [['stray'], /positional/i],
  ])('%j is rejected naming the problem', (argv, message) => {
    expect(() => parseDemoArgs(argv, false)).toThrow(DemoArgsError);
    expect(() => parseDemoArgs(argv, false)).toThrow(message);
  });
});
