// Proves the mapping works: the SDKs these tests load are the oldest supported ones.
test('the SDK 1.x under test is 1.30.0', () => {
  const { version } = require('@modelcontextprotocol/sdk/package.json');
  expect(version).toBe('1.30.0');
  const transport = require.resolve('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js');
  expect(transport).toContain('sdk@1.30.0');
});

test('the SDK v2 under test is @modelcontextprotocol/server and client 2.4.0', () => {
  for (const name of ['@modelcontextprotocol/server', '@modelcontextprotocol/client']) {
    expect(require.resolve(name)).toContain(`${name.replace('/', '+')}@2.4.0`);
  }
});
