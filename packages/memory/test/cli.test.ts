// The acceptance check as a user runs it: the core CLI against this package's example factory.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('mcp-session-store-conformance passes every suite against the example factory', () => {
  const root = join(__dirname, '..');
  const cli = join(root, 'node_modules', '.bin', 'mcp-session-store-conformance');
  const run = spawnSync(cli, ['examples/conformance-factory.mjs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.stdout).toContain('(sessions, events, bus, claims, handles)');
  expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(run.status).toBe(0);
});

test('the basic usage example runs as documented', () => {
  const root = join(__dirname, '..');
  const run = spawnSync(process.execPath, ['examples/basic-usage.mjs'], { cwd: root, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe(
    'conflict detected: current version is 2\nuser-42 has 1 live session(s); log level debug\ndeleted: true\n',
  );
  expect(run.status).toBe(0);
});
