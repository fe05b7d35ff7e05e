// Shared jest settings: SWC strips types (fast); `pnpm typecheck` does the type checking.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // The SDK loads `jose` (ESM only) lazily: let SWC transform it too.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/)?(jose|@modelcontextprotocol))'],
  // Sources import siblings as `./x.js` (NodeNext); map them back to the `.ts` file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30_000,
};
