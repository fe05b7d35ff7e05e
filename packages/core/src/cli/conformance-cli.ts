#!/usr/bin/env node
/**
 * `mcp-session-store-conformance <module> [--suite sessions|events|bus|claims|handles|all]`
 *
 * Loads an adapter factory module (its default export: `(ctx) => adapter`) and runs the
 * conformance suites against it with the built-in runner: no test framework needed.
 * Exit code: 0 if every test passed, 1 if any failed, 2 if the module or arguments are unusable.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import {
  type AdapterFactory,
  ConformanceRunner,
  SUITES,
  type SuiteName,
  type SuiteOptions,
  suiteContext,
  suitesFor,
} from '../conformance/index.js';

const USAGE = `Usage: mcp-session-store-conformance <factory-module> [--suite sessions|events|bus|claims|handles|all] [--timeout ms]

Runs the @mcp-session-store conformance suites against an adapter.

  <factory-module>  a .js/.mjs/.cjs file whose default export is an async factory
                    (ctx) => ({ sessionStore?, eventStore?, bus?, claimStore?, inspect?, dispose? });
                    it may also export \`conformance\` = { exclude: { '<test name>': '<reason>' } }
  --suite           which suite to run; 'all' (default) runs every suite the adapter provides
                    ('handles': state handles over the sessionStore)
  --timeout         per-test limit in ms (default 20000)

Prints one line per test and a final line "N passed, N failed"; exits 0 only if nothing failed.`;

class UsageError extends Error {}

interface CliArgs {
  module: string;
  suite: SuiteName | 'all';
  timeoutMs: number;
}

function parseArgs(argv: string[]): CliArgs {
  let module: string | undefined;
  let suite: SuiteName | 'all' = 'all';
  let timeoutMs = 20_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg === '--suite') {
      const v = value();
      if (v !== 'all' && !(v in SUITES)) throw new UsageError(`unknown suite '${v}'`);
      suite = v as SuiteName | 'all';
    } else if (arg.startsWith('--suite=')) {
      argv.splice(i + 1, 0, arg.slice('--suite='.length));
      argv[i] = '--suite';
      i--;
    } else if (arg === '--timeout') {
      timeoutMs = Number(value());
      if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0)
        throw new UsageError('--timeout takes a positive integer');
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (module === undefined) module = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (!module) throw new UsageError('missing <factory-module>');
  return { module, suite, timeoutMs };
}

interface LoadedModule {
  factory: AdapterFactory;
  exclude: Record<string, string>;
}

async function loadFactory(path: string): Promise<LoadedModule> {
  const url = pathToFileURL(resolve(process.cwd(), path)).href;
  const mod = (await import(url)) as Record<string, unknown>;
  // `export default fn` in ESM, `module.exports = fn` in CJS (seen as default.default by some tools).
  let factory = mod.default as unknown;
  if (factory && typeof factory === 'object' && 'default' in factory)
    factory = (factory as { default: unknown }).default;
  if (typeof factory !== 'function') {
    throw new UsageError(`${path} has no default export function (ctx) => adapter`);
  }
  const conformance = (mod.conformance ?? {}) as { exclude?: Record<string, string> };
  return { factory: factory as AdapterFactory, exclude: conformance.exclude ?? {} };
}

/** Builds the adapter once to see which components it provides. */
async function probe(factory: AdapterFactory): Promise<SuiteName[]> {
  const adapter = await factory(suiteContext());
  const names = suitesFor(adapter);
  await Promise.allSettled([
    adapter.sessionStore?.close(),
    adapter.eventStore?.close(),
    adapter.bus?.close(),
    adapter.claimStore?.close(),
  ]);
  await adapter.dispose?.();
  return names;
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? error.message) : inspect(error);
  return text
    .split('\n')
    .filter((line) => !line.includes('node:internal'))
    .slice(0, 8)
    .map((line) => `      ${line}`)
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  let loaded: LoadedModule;
  let suites: SuiteName[];
  try {
    args = parseArgs(argv);
    loaded = await loadFactory(args.module);
    const provided = await probe(loaded.factory);
    if (args.suite === 'all') {
      suites = provided;
      if (suites.length === 0)
        throw new UsageError('the factory returned no sessionStore, eventStore, bus or claimStore');
    } else {
      if (!provided.includes(args.suite)) {
        throw new UsageError(`the factory provides no component for the '${args.suite}' suite`);
      }
      suites = [args.suite];
    }
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) console.error(`error: ${error.message}\n`);
      console.error(USAGE);
      return 2;
    }
    console.error(`error: could not load the adapter: ${describeError(error).trim()}`);
    return 2;
  }

  const runner = new ConformanceRunner();
  const options: SuiteOptions = { testTimeoutMs: args.timeoutMs, exclude: loaded.exclude };
  for (const name of suites) SUITES[name](runner.api, loaded.factory, options);
  console.log(`Running ${runner.size} conformance tests (${suites.join(', ')}) against ${args.module}`);
  for (const [name, reason] of Object.entries(loaded.exclude))
    console.log(`  - excluded: ${name} (${reason})`);

  const results = await runner.run((r) => {
    const ms = `${Math.round(r.durationMs)} ms`;
    if (r.passed) console.log(`  ✔ ${r.name} (${ms})`);
    else console.log(`  ✖ ${r.name} (${ms})\n${describeError(r.error)}`);
  });
  const failed = results.filter((r) => !r.passed).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

// Exit explicitly once output is flushed: an adapter that leaves a connection open must not hang CI.
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  console.error(error);
  exit(2);
});
