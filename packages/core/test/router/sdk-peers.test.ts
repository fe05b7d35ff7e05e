// Both SDK majors are optional peers: an application installs only the one its server uses. These
// tests install core's built package beside exactly one SDK (or none) in a scratch directory and
// load each entry point from there, as ESM and as CJS, in a fresh Node process.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const CORE = join(__dirname, '..', '..');
const SDK_PACKAGES = { 1: '@modelcontextprotocol/sdk', 2: '@modelcontextprotocol/server' } as const;

const scratch: string[] = [];
// Without NODE_PATH (package runners set it), so only the scratch app's node_modules resolve.
const { NODE_PATH: _nodePath, ...cleanEnv } = process.env;
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A directory whose node_modules holds core's package (dist) and the given SDK majors only. */
function appWith(majors: Array<1 | 2>): string {
  const app = mkdtempSync(join(tmpdir(), 'mcpss-peers-'));
  scratch.push(app);
  const core = join(app, 'node_modules', '@mcp-session-store', 'core');
  mkdirSync(core, { recursive: true });
  cpSync(join(CORE, 'package.json'), join(core, 'package.json'));
  cpSync(join(CORE, 'dist'), join(core, 'dist'), { recursive: true });
  for (const major of majors) {
    const name = SDK_PACKAGES[major];
    // The SDK's real directory (in pnpm's store), so its own dependencies resolve as installed.
    const source = realpathSync(join(CORE, 'node_modules', name));
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(source, join(app, 'node_modules', name), 'dir');
  }
  return app;
}

/** Loads `specifier` in a fresh Node process in `app`; prints the export's type or the error. */
function load(app: string, specifier: string, format: 'esm' | 'cjs', exportName: string) {
  const script =
    format === 'esm'
      ? `import(${JSON.stringify(specifier)}).then((m) => console.log(typeof m.${exportName}), (e) => { console.log(e.code, e.message); process.exit(3); });`
      : `try { console.log(typeof require(${JSON.stringify(specifier)}).${exportName}); } catch (e) { console.log(e.code, e.message); process.exit(3); }`;
  const run = spawnSync(
    process.execPath,
    [format === 'esm' ? '--input-type=module' : '--input-type=commonjs', '-e', script],
    {
      cwd: app,
      env: cleanEnv,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe.each(['esm', 'cjs'] as const)('%s', (format) => {
  test('with only @modelcontextprotocol/server installed, /v2 loads (and never needs SDK 1.x)', () => {
    const app = appWith([2]);
    expect(load(app, '@mcp-session-store/core/v2', format, 'createMcpSessionHandler')).toEqual({
      status: 0,
      output: 'function\n',
    });
    // The main entry (stores, errors, contracts) needs no SDK at all.
    expect(load(app, '@mcp-session-store/core', format, 'SessionStoreError').output).toBe('function\n');
  });

  test('with only @modelcontextprotocol/sdk installed, /router loads', () => {
    const app = appWith([1]);
    expect(load(app, '@mcp-session-store/core/router', format, 'createMcpSessionRouter')).toEqual({
      status: 0,
      output: 'function\n',
    });
  });

  test('an entry point whose SDK is missing fails with an error naming the package to install', () => {
    const app = appWith([]);
    const v2 = load(app, '@mcp-session-store/core/v2', format, 'createMcpSessionHandler');
    expect(v2.status).toBe(3);
    expect(v2.output).toMatch(/MODULE_NOT_FOUND .*'@modelcontextprotocol\/server/);
    const v1 = load(appWith([2]), '@mcp-session-store/core/router', format, 'createMcpSessionRouter');
    expect(v1.status).toBe(3);
    expect(v1.output).toMatch(/MODULE_NOT_FOUND .*'@modelcontextprotocol\/sdk/);
    expect(load(app, '@mcp-session-store/core', format, 'SessionStoreError').output).toBe('function\n');
  });
});
