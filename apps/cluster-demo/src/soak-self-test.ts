// The soak's self-test: the memory criterion must tell a healthy cluster from a leaking one. Runs the
// soak twice with the same options: as it is (it must PASS: no error, every restart back, the
// memory criterion holding), then with every pod retaining 64 KiB per MCP request (it must FAIL, on
// the memory criterion). Exits 0 only if both went that way. A graceful restart loses no request
// (rolling-restart.test.ts), so a failed request in the healthy run fails the self-test too.
//   pnpm soak:self-test [soak options; default --duration 60]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SOAK_USAGE } from './soak/options.js';

/** The injected leak: 64 KiB per request is ~2 MiB/s on a pod of the CI soak, 5× what it must catch. */
const LEAK_KIB = 64;
const MEMORY_FAILURE = 'the pod memory criterion does not hold';

interface Run {
  code: number | null;
  output: string;
}

/** Runs the soak with `args`, its output shown as it comes and kept for the verdict. */
function soak(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'soak.ts'), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The soak's last verdict line: "PASS" or "FAIL: reason; reason". */
function verdictOf(output: string): string {
  return output.split('\n').findLast((line) => line === 'PASS' || line.startsWith('FAIL')) ?? '(no verdict)';
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      `Usage: pnpm soak:self-test [soak options]\n\nThe soak options (default --duration 60):\n${SOAK_USAGE}`,
    );
    return 0;
  }
  if (args.includes('--inject-leak')) {
    console.error('pnpm soak:self-test injects the leak itself: leave --inject-leak out');
    return 2;
  }
  const options = args.includes('--duration') ? args : ['--duration', '60', ...args];
  const results: Array<{ expectation: string; ok: boolean; got: string }> = [];

  console.log(
    `\n=== soak self-test 1/2: healthy pods (the soak must PASS): pnpm soak ${options.join(' ')}\n`,
  );
  const healthy = await soak(options);
  const healthyVerdict = verdictOf(healthy.output);
  results.push({
    expectation: 'healthy pods: no error, every restart back, the memory criterion holds',
    ok: healthyVerdict === 'PASS' && healthy.code === 0,
    got: `exit ${healthy.code}, ${healthyVerdict}`,
  });

  const leaking = [...options, '--inject-leak', String(LEAK_KIB)];
  console.log(
    `\n=== soak self-test 2/2: pods leaking ${LEAK_KIB} KiB per request (must FAIL): pnpm soak ${leaking.join(' ')}\n`,
  );
  const leaky = await soak(leaking);
  results.push({
    expectation: `pods leaking ${LEAK_KIB} KiB per MCP request: the soak fails on the memory criterion`,
    ok: leaky.code === 1 && verdictOf(leaky.output).includes(MEMORY_FAILURE),
    got: `exit ${leaky.code}, ${verdictOf(leaky.output)}`,
  });

  console.log('\nsoak self-test:');
  for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.expectation} (${r.got})`);
  const ok = results.every((r) => r.ok);
  console.log(ok ? 'the memory criterion tells a leak from a healthy cluster' : 'SELF-TEST FAILED');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
