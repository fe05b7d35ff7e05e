// The router's tests, with every `@modelcontextprotocol/sdk` import (ours, the tests', core's)
// resolved to this package's SDK 1.30.0: the oldest version in core's peer range.
const path = require('node:path');
const preset = require('../../jest.preset.cjs');
// The package root: its "./*" export points into dist/cjs, so resolve a module and cut there.
const resolved = require.resolve('@modelcontextprotocol/sdk/server/mcp.js', { paths: [__dirname] });
const sdk = resolved.slice(0, resolved.indexOf(`${path.sep}dist${path.sep}cjs${path.sep}`));

module.exports = {
  ...preset,
  rootDir: __dirname,
  roots: ['<rootDir>/test', '<rootDir>/../integration/test', '<rootDir>/../core/test/router'],
  testMatch: [
    '<rootDir>/test/**/*.test.ts',
    '<rootDir>/../integration/test/router-in-process.test.ts',
    '<rootDir>/../integration/test/router-resumption.test.ts',
    '<rootDir>/../integration/test/router-lifecycle.test.ts',
    '<rootDir>/../integration/test/compat-transport.test.ts',
    '<rootDir>/../core/test/router/sdk-rehydration.test.ts',
  ],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@modelcontextprotocol/sdk/package\\.json$': `${sdk}/package.json`,
    '^@modelcontextprotocol/sdk/(.*)$': `${sdk}/dist/cjs/$1`,
  },
};
