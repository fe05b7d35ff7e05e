// The soak refuses what it cannot do, before starting anything, with a message that says why.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const soak = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'soak.ts'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

test('--store memory is refused: the soak restarts pods, and process memory dies with them', () => {
  const run = soak('--store', 'memory');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--store memory cannot be soaked');
  expect(run.stdout).not.toContain('pods: starting');
});

test('an unknown store is refused with the usage', () => {
  const run = soak('--store', 'mongodb');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("unknown store 'mongodb'");
  expect(run.stderr).toContain('--store redis|postgres|dynamodb');
});

test.each([
  [['--duration', '5'], '--duration takes a whole number from 10 to 86400'],
  [['--duration', '1.5'], "--duration takes a whole number from 10 to 86400, got '1.5'"],
  [['--pods', '1'], '--pods takes a whole number from 2 to 16'],
  [['--restart-every'], "--restart-every takes a whole number from 5 to 86400, got ''"],
  [['--users', '0'], '--users takes a whole number from 1 to 64'],
  [['--loops', '3'], 'unknown option --loops'],
  [['--inject-leak', '0'], '--inject-leak takes a whole number from 1 to 65536'],
])('%j is refused before anything starts', (args, message) => {
  const run = soak(...args);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(message);
  expect(run.stderr).toContain('Usage: pnpm soak');
  expect(run.stdout).not.toContain('backend:');
});

test('--help prints the usage and exits 0', () => {
  const run = soak('--help');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('--restart-every');
});
