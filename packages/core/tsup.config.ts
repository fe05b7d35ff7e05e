import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    conformance: 'src/conformance/index.ts',
    router: 'src/router/index.ts',
    cli: 'src/cli/conformance-cli.ts',
  },
  format: ['esm', 'cjs'],
  // The CLI is an executable, not an import target: it needs no declarations.
  dts: {
    entry: { index: 'src/index.ts', conformance: 'src/conformance/index.ts', router: 'src/router/index.ts' },
  },
  // The SDK is a peer dependency: never bundled.
  external: [/^@modelcontextprotocol\/sdk/],
  tsconfig: 'tsconfig.build.json',
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
});
