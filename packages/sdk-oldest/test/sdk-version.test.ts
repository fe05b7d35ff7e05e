// Proves the mapping works: the SDK these tests load is the oldest supported one.
test('the SDK under test is 1.30.0', () => {
  const { version } = require('@modelcontextprotocol/sdk/package.json');
  expect(version).toBe('1.30.0');
  const transport = require.resolve('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js');
  expect(transport).toContain('sdk@1.30.0');
});
