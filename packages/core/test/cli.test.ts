// The conformance CLI, run as users run it: a child process on the built package.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const FIXTURES = join(__dirname, 'fixtures', 'cli');

function runCli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  const lines = result.stdout.trim().split('\n');
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, last: lines.at(-1) ?? '' };
}

test('passes on the reference store: one line per test, a summary line, exit 0', () => {
  const run = runCli(join(FIXTURES, 'reference.mjs'));
  expect(run.stderr).toBe('');
  expect(run.last).toMatch(/^(\d+) passed, 0 failed$/);
  const passed = Number(run.last.split(' ')[0]);
  expect(passed).toBeGreaterThan(35);
  expect(run.stdout.split('\n').filter((l) => l.startsWith('  ✔ '))).toHaveLength(passed);
  expect(run.code).toBe(0);
});

test('runs the claim suite by default when the factory provides a claimStore, and alone with --suite claims', () => {
  const all = runCli(join(FIXTURES, 'reference.mjs'));
  expect(all.stdout).toContain('(sessions, claims, handles)');
  expect(all.stdout).toContain('  ✔ ClaimStore conformance › at most once › exactly one of many concurrent');
  const claims = runCli(join(FIXTURES, 'reference.mjs'), '--suite', 'claims');
  expect(claims.code).toBe(0);
  expect(claims.stdout).toContain('(claims)');
  expect(claims.stdout).not.toContain('SessionStore conformance');
  expect(Number(claims.last.split(' ')[0])).toBeGreaterThanOrEqual(10);
});

test.each([
  'read-then-write',
  'never-expires',
  'per-instance',
  'loser-extends',
  'ignores-namespace',
  'lax-validation',
])('exits non-zero on the broken claim store %s', (name) => {
  const run = runCli(join(FIXTURES, `claims-${name}.mjs`));
  expect(run.stdout).toContain('(claims)');
  expect(run.code).toBe(1);
  expect(run.last).toMatch(/^\d+ passed, [1-9]\d* failed$/);
  expect(run.stdout).toContain('  ✖ ClaimStore conformance › ');
});

test.each(['create-overwrites', 'touch-resurrects', 'update-ignores-version', 'get-returns-expired'])(
  'exits non-zero on the broken store %s and names the failing test',
  (name) => {
    const run = runCli(join(FIXTURES, `${name}.mjs`), '--suite', 'sessions');
    expect(run.code).toBe(1);
    expect(run.last).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(run.stdout).toContain('  ✖ ');
  },
);

test('runs the event suite on an event store, priming tests included, and exits 0 on the reference', () => {
  const run = runCli(join(FIXTURES, 'events-reference.mjs'));
  expect(run.stdout).toContain('(events)');
  expect(run.stdout).toContain(
    '  ✔ EventStore conformance › priming events › a priming event makes no backend call; its id depends only on the session and stream',
  );
  expect(run.last).toMatch(/^\d+ passed, 0 failed$/);
  expect(run.code).toBe(0);
});

test.each([
  'priming-written',
  'priming-from-now',
  'priming-any-session',
  'priming-per-process',
  'priming-ignores-cap',
  'tail-from-start',
])('exits non-zero on the broken event store %s', (name) => {
  const run = runCli(join(FIXTURES, `events-${name}.mjs`), '--suite', 'events');
  expect(run.code).toBe(1);
  expect(run.last).toMatch(/^\d+ passed, [1-9]\d* failed$/);
  expect(run.stdout).toMatch(
    / {2}✖ EventStore conformance › (priming events|resuming from now \(tailEventId\)) › /,
  );
});

test('usage errors exit 2 with a message', () => {
  expect(runCli().code).toBe(2);
  expect(runCli().stderr).toContain('missing <factory-module>');
  const badSuite = runCli(join(FIXTURES, 'reference.mjs'), '--suite', 'nope');
  expect(badSuite.code).toBe(2);
  expect(badSuite.stderr).toContain("unknown suite 'nope'");
  const missing = runCli(join(FIXTURES, 'does-not-exist.mjs'));
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('could not load the adapter');
});

test('a module without a factory, or without the asked component, exits 2', () => {
  const noDefault = join(tmpdir(), `no-default-${process.pid}.mjs`);
  writeFileSync(noDefault, 'export const x = 1;\n');
  const run = runCli(noDefault);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('has no default export function');
  const noBus = runCli(join(FIXTURES, 'reference.mjs'), '--suite', 'bus');
  expect(noBus.code).toBe(2);
  expect(noBus.stderr).toContain("no component for the 'bus' suite");
  const sessionsOnly = join(tmpdir(), `sessions-only-${process.pid}.mjs`);
  writeFileSync(
    sessionsOnly,
    `import { referenceFactory } from ${JSON.stringify(join(__dirname, 'fixtures', 'reference-store.mjs'))};
export default referenceFactory();
`,
  );
  const noClaims = runCli(sessionsOnly, '--suite', 'claims');
  expect(noClaims.code).toBe(2);
  expect(noClaims.stderr).toContain("no component for the 'claims' suite");
});

test('honours exclusions declared by the module, and prints them', () => {
  const module = join(tmpdir(), `excluding-${process.pid}.mjs`);
  writeFileSync(
    module,
    `import { referenceFactory } from ${JSON.stringify(join(__dirname, 'fixtures', 'reference-store.mjs'))};
export default referenceFactory();
export const conformance = { exclude: { 'detects corrupt records: get returns null and onError reports CORRUPT_RECORD': 'typed column' } };
`,
  );
  const run = runCli(module);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('excluded: detects corrupt records');
  expect(run.stdout).not.toContain('✔ SessionStore conformance › corruption and lifecycle › detects corrupt');
});
