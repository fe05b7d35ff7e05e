// What `pnpm demo` and `pnpm conformance` make of their arguments: defaults, --sdk, and refusals.
import { ALL_TARGETS, parseConformanceArgs } from '../src/conformance-options.js';
import { parseDemoArgs } from '../src/demo-options.js';
import { parseSdkMajor } from '../src/sdk-major.js';

test('with no arguments the demo runs SDK v2 (both protocol eras) on an embedded PostgreSQL with 3 pods', () => {
  expect(parseDemoArgs([])).toEqual({
    store: 'postgres',
    pods: 3,
    sdk: 2,
    port: undefined,
    serve: false,
    traces: false,
  });
});

test('--sdk 1 switches the demo to SDK 1.x and changes nothing else', () => {
  expect(parseDemoArgs(['--sdk', '1', '--store', 'memory'])).toEqual({
    store: 'memory',
    pods: 1,
    sdk: 1,
    port: undefined,
    serve: false,
    traces: false,
  });
  expect(parseDemoArgs(['--sdk', '2', '--store', 'memory'])).toEqual(parseDemoArgs(['--store', 'memory']));
});

test('--traces prints spans while serving: it is refused without --serve', () => {
  expect(parseDemoArgs(['--serve', '--traces'])).toMatchObject({ serve: true, traces: true });
  expect(() => parseDemoArgs(['--traces'])).toThrow('--traces goes with --serve\nUsage: pnpm demo');
});

test.each([['3'], ['0'], ['v2'], ['1.0'], [' 2'], ['']])(
  '--sdk %j is refused, naming what it takes',
  (value) => {
    expect(() => parseDemoArgs(['--sdk', value])).toThrow(
      `--sdk takes 1 or 2 (the MCP SDK major), got '${value}'\nUsage: pnpm demo`,
    );
    expect(() => parseConformanceArgs(['--sdk', value])).toThrow(
      `--sdk takes 1 or 2 (the MCP SDK major), got '${value}'\nUsage: pnpm conformance`,
    );
  },
);

test('--sdk with no value is refused', () => {
  expect(() => parseDemoArgs(['--sdk'])).toThrow("--sdk takes 1 or 2 (the MCP SDK major), got ''");
  expect(() => parseConformanceArgs(['--store', 'redis', '--sdk'])).toThrow("got ''");
});

test('parseSdkMajor names the setting it reads', () => {
  expect(parseSdkMajor('1')).toBe(1);
  expect(parseSdkMajor('2', 'DEMO_SDK')).toBe(2);
  expect(() => parseSdkMajor('4', 'DEMO_SDK')).toThrow("DEMO_SDK takes 1 or 2 (the MCP SDK major), got '4'");
});

test('conformance runs every target on SDK 1.x by default; --sdk and --store pick', () => {
  expect(parseConformanceArgs([])).toEqual({ sdk: 1, targets: [...ALL_TARGETS], pods: 3 });
  expect(
    parseConformanceArgs(['--sdk', '2', '--store', 'stock', '--store', 'redis', '--store', 'stock']),
  ).toEqual({
    sdk: 2,
    targets: ['stock', 'redis'],
    pods: 3,
  });
  expect(() => parseConformanceArgs(['--store', 'mongodb'])).toThrow("unknown store 'mongodb'");
});

test('--help is an answer, not an error', () => {
  expect(parseDemoArgs(['--sdk', '2', '--help'])).toBe('help');
  expect(parseConformanceArgs(['-h'])).toBe('help');
});
