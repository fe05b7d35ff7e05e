// The demo refuses what it cannot do, before starting anything, with a message that says why.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const demo = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'main.ts'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

test('--store memory with several pods is refused: process memory is not shared', () => {
  const run = demo('--store', 'memory', '--pods', '2');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--store memory keeps sessions in one process');
  expect(run.stdout).not.toContain('pods: starting');
});

test('an unknown store is refused with the usage', () => {
  const run = demo('--store', 'mongodb');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("unknown store 'mongodb'");
  expect(run.stderr).toContain('--store memory|redis|postgres|dynamodb');
});

test('--sdk 3 is refused with the usage, before anything starts', () => {
  const run = demo('--sdk', '3');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("--sdk takes 1 or 2 (the MCP SDK major), got '3'");
  expect(run.stderr).toContain('Usage: pnpm demo');
  expect(run.stdout).not.toContain('backend:');
});

test('pnpm conformance --sdk 3 is refused with its usage, before the runner is installed or run', () => {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'src', 'conformance.ts'), '--sdk', '3'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("--sdk takes 1 or 2 (the MCP SDK major), got '3'");
  expect(run.stderr).toContain('Usage: pnpm conformance');
  expect(run.stdout).not.toContain('runner:');
  expect(run.stdout).not.toContain('===');
});
