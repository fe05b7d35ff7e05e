import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CommonJS build (dynamodb-local.ts resolves the jar from this package),
  // __dirname in the ESM one (embedded-postgres.ts finds its child script next to itself).
  shims: true,
  // The child script runs as its own Node process, as it is: shipped beside the bundles.
  onSuccess: 'cp src/embedded-postgres-child.mjs dist/',
});
