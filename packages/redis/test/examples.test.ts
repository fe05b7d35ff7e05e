// The README's example and the CLI, run exactly as a user would run them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

test('examples/usage.mjs (the README example) runs as written', () => {
  const run = spawnSync(process.execPath, ['examples/usage.mjs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  expect(run.stdout).toBe(
    [
      'created, expires in 3600 s',
      'version 2, log level info',
      'replayed notifications/b',
      'pod-1 received {"hello":"pod-1"}',
      'first claim true, second claim false',
      '',
    ].join('\n'),
  );
  expect(run.status).toBe(0);
});

test('mcp-session-store-conformance passes every suite against the example factory', () => {
  const cli = join(root, 'node_modules', '.bin', 'mcp-session-store-conformance');
  const run = spawnSync(cli, ['examples/conformance-factory.mjs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  expect(run.stdout).toContain('(sessions, events, bus, claims, handles)');
  // Each failed test's line and the error after it, so a failure says which test and why.
  const failures = run.stdout
    .split('\n')
    .flatMap((line, i, lines) => (line.startsWith('  ✖') ? [line, lines[i + 1]] : []));
  expect(failures).toEqual([]);
  expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  expect(run.status).toBe(0);
});

test('an unreachable Redis fails the suite with a message saying how to provide one', () => {
  const cli = join(root, 'node_modules', '.bin', 'mcp-session-store-conformance');
  const run = spawnSync(cli, ['examples/conformance-factory.mjs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' },
  });
  expect(run.status).not.toBe(0);
  expect(run.stdout + run.stderr).toContain(
    'Start one (apt-get install redis-server; redis-server) or set REDIS_URL',
  );
});
