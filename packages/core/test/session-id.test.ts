import {
  assertValidSessionId,
  generateSessionId,
  isSessionStoreError,
  isValidSessionId,
  redactSessionId,
} from '../src/index.js';

test('accepts 1-256 visible ASCII characters and nothing else', () => {
  expect(isValidSessionId('a')).toBe(true);
  expect(isValidSessionId('~'.repeat(256))).toBe(true);
  expect(isValidSessionId('!*{}:[]"\\')).toBe(true);
  for (const bad of ['', 'x'.repeat(257), 'a b', 'é', '\u0000', '\u007f', '\n', 7, null, undefined]) {
    expect(isValidSessionId(bad)).toBe(false);
  }
});

test('assertValidSessionId throws INVALID_SESSION_ID without echoing the id', () => {
  const hostile = `evil\n${'x'.repeat(300)}`;
  let error: unknown;
  try {
    assertValidSessionId(hostile);
  } catch (err) {
    error = err;
  }
  expect(isSessionStoreError(error, 'INVALID_SESSION_ID')).toBe(true);
  expect(String((error as Error).message)).not.toContain('evil');
});

test('generated ids are valid, 256-bit, and never repeat', () => {
  const ids = new Set(Array.from({ length: 10_000 }, generateSessionId));
  expect(ids.size).toBe(10_000);
  for (const id of [...ids].slice(0, 100)) {
    expect(isValidSessionId(id)).toBe(true);
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
  }
});

test('redaction keeps a short prefix and the length only', () => {
  const id = generateSessionId();
  const redacted = redactSessionId(id);
  expect(redacted).not.toContain(id);
  expect(redacted.startsWith(id.slice(0, 6))).toBe(true);
  expect(redacted).toContain(String(id.length));
});
