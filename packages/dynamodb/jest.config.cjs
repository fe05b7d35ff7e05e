// DynamoDB Local is started once for all test files (test/support/global-setup.ts).
module.exports = {
  ...require('../../jest.preset.cjs'),
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
