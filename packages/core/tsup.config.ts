import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    conformance: 'src/conformance/index.ts',
    router: 'src/router/index.ts',
    v2: 'src/v2/index.ts',
    cli: 'src/cli/conformance-cli.ts',
  },
  format: ['esm', 'cjs'],
  // The CLI is an executable, not an import target: it needs no declarations.
  dts: {
    entry: {
      index: 'src/index.ts',
      conformance: 'src/conformance/index.ts',
      router: 'src/router/index.ts',
      v2: 'src/v2/index.ts',
    },
  },
  // Both SDK majors are peer dependencies: never bundled.
  external: [/^@modelcontextprotocol\/sdk/, /^@modelcontextprotocol\/server/],
  tsconfig: 'tsconfig.build.json',
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  // `__filename` in ESM too: the optional `@opentelemetry/api` is resolved from this package (telemetry/otel-api.ts).
  shims: true,
});
