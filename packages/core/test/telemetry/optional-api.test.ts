// `@opentelemetry/api` is an optional peer dependency: an application without it gets a working
// handler (both eras, both builds) and the API is never loaded; with it installed, it is, unless
// `telemetry: false`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', 'fixtures');

interface ProbeResult {
  initialize: number;
  list: number;
  loaded: boolean;
}

/** Runs the probe in a fresh node process (module resolution and the API's globals start clean). */
function probe(format: 'cjs' | 'esm', hideApi: boolean, telemetryOff = false): Promise<ProbeResult> {
  const args = [
    ...(hideApi ? ['-r', join(FIXTURES, 'hide-otel-api.cjs')] : []),
    join(FIXTURES, 'telemetry-probe.cjs'),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, PROBE_FORMAT: format, PROBE_TELEMETRY: telemetryOff ? 'off' : '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`probe exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ProbeResult);
    });
  });
}

describe.each(['cjs', 'esm'] as const)('the %s build', (format) => {
  test('serves both eras without @opentelemetry/api installed, and never loads it', async () => {
    await expect(probe(format, true)).resolves.toEqual({ initialize: 200, list: 200, loaded: false });
  });

  test('loads @opentelemetry/api when the application has it (the probe can tell)', async () => {
    await expect(probe(format, false)).resolves.toEqual({ initialize: 200, list: 200, loaded: true });
  });

  test('with `telemetry: false` the API is not even loaded', async () => {
    await expect(probe(format, false, true)).resolves.toEqual({ initialize: 200, list: 200, loaded: false });
  });
});
