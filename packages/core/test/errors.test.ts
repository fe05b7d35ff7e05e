import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ErrorCodes, isSessionStoreError, SessionStoreError } from '../src/index.js';

test('codes are stable strings and retryable follows the code', () => {
  expect(new SessionStoreError('BACKEND_UNAVAILABLE', 'down').retryable).toBe(true);
  expect(new SessionStoreError('SESSION_CONFLICT', 'stale').retryable).toBe(true);
  expect(new SessionStoreError('SESSION_EXISTS', 'taken').retryable).toBe(false);
  expect(new SessionStoreError('INVALID_SESSION_ID', 'bad', { retryable: true }).retryable).toBe(true);
  for (const [key, value] of Object.entries(ErrorCodes)) expect(key).toBe(value);
});

test('keeps the cause and details, and is an Error with a name', () => {
  const cause = new Error('ECONNREFUSED');
  const err = new SessionStoreError('BACKEND_UNAVAILABLE', 'redis down', { cause, details: { host: 'x' } });
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe('SessionStoreError');
  expect(err.cause).toBe(cause);
  expect(err.details).toEqual({ host: 'x' });
});

test('isSessionStoreError recognises errors from another copy of the package (CJS build)', () => {
  const require = createRequire(__filename);
  const built = require(join(__dirname, '..', 'dist', 'index.cjs')) as typeof import('../src/index.js');
  const foreign = new built.SessionStoreError('SESSION_NOT_FOUND', 'gone');
  expect(foreign).not.toBeInstanceOf(SessionStoreError);
  expect(isSessionStoreError(foreign)).toBe(true);
  expect(isSessionStoreError(foreign, 'SESSION_NOT_FOUND')).toBe(true);
  expect(isSessionStoreError(foreign, 'SESSION_EXISTS')).toBe(false);
  expect(isSessionStoreError(Object.assign(new Error('x'), { code: 'SESSION_NOT_FOUND' }))).toBe(false);
  expect(isSessionStoreError(null)).toBe(false);
});
