// The router's tests, with every SDK import (ours, the tests', core's) resolved to this package's
// copies: `@modelcontextprotocol/sdk` 1.30.0 and `@modelcontextprotocol/server` / `client` 2.4.0,
// the oldest versions in core's peer ranges. The router tests run on both majors.
const path = require('node:path');
const preset = require('../../jest.preset.cjs');
// The package root: its "./*" export points into dist/cjs, so resolve a module and cut there.
const resolved = require.resolve('@modelcontextprotocol/sdk/server/mcp.js', { paths: [__dirname] });
const sdk = resolved.slice(0, resolved.indexOf(`${path.sep}dist${path.sep}cjs${path.sep}`));
// v2's packages export one entry each ("." -> dist/index.cjs under require).
const v2 = (name) => require.resolve(name, { paths: [__dirname] });

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
    '^@modelcontextprotocol/server$': v2('@modelcontextprotocol/server'),
    '^@modelcontextprotocol/client$': v2('@modelcontextprotocol/client'),
  },
};
