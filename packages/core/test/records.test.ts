import { runInNewContext } from 'node:vm';
import {
  applyPatch,
  buildRecord,
  decodeRecord,
  findNonJson,
  isPlainObject,
  resolveStoreLimits,
  type SessionStoreError,
} from '../src/index.js';

const limits = resolveStoreLimits({ idleTtlMs: 1_000, maxLifetimeMs: 1_500 });
const input = { id: 'abc', protocolVersion: '2025-11-25', clientInfo: { name: 'c', version: '1' } };

test('buildRecord fills defaults, copies input and caps expiry by the lifetime', () => {
  const metadata = { list: [1] };
  const record = buildRecord({ ...input, metadata }, 10_000, limits);
  expect(record).toMatchObject({ principal: null, logLevel: null, clientCapabilities: {}, version: 1 });
  expect(record.expiresAt).toBe(11_000);
  metadata.list.push(2);
  expect(record.metadata).toEqual({ list: [1] });
  expect(
    buildRecord(input, 0, resolveStoreLimits({ idleTtlMs: 5_000, maxLifetimeMs: 2_000 })).expiresAt,
  ).toBe(2_000);
});

test('applyPatch merges metadata by key, unsets keys, bumps version only', () => {
  const record = buildRecord({ ...input, metadata: { a: 1, b: 2 } }, 0, limits);
  const next = applyPatch(record, { metadata: { b: 3, c: 4 }, unsetMetadata: ['a'] }, 10_000);
  expect(next.metadata).toEqual({ b: 3, c: 4 });
  expect(next.version).toBe(2);
  expect({ ...next, metadata: null, version: 0 }).toEqual({ ...record, metadata: null, version: 0 });
});

test('resolveStoreLimits refuses nonsense options', () => {
  for (const bad of [
    { idleTtlMs: 0 },
    { idleTtlMs: -5 },
    { maxLifetimeMs: 1.5 },
    { maxRecordBytes: Number.NaN },
  ]) {
    expect(() => resolveStoreLimits(bad)).toThrow(/positive integer/);
  }
});

test('decodeRecord reports corrupt text through onError with a redacted id, returning null', () => {
  const reported: SessionStoreError[] = [];
  const id = 'session-id-that-must-not-leak';
  expect(decodeRecord('{"oops"', id, (e) => reported.push(e))).toBeNull();
  const valid = JSON.stringify(buildRecord({ ...input, id: 'other-id' }, 0, limits));
  expect(decodeRecord(valid, id, (e) => reported.push(e))).toBeNull();
  expect(reported.map((e) => e.code)).toEqual(['CORRUPT_RECORD', 'CORRUPT_RECORD']);
  for (const e of reported) expect(JSON.stringify([e.message, e.details])).not.toContain(id);
});

test('findNonJson finds what JSON cannot hold; isPlainObject works across realms', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(findNonJson({ a: [1, { b: undefined }] })).toBe('$.a[1].b');
  expect(findNonJson({ d: new Date() })).toBe('$.d');
  expect(findNonJson(cyclic)).toBe('$.self');
  expect(findNonJson({ ok: [1, 'x', null, true, { n: -1.5 }] })).toBeNull();
  expect(isPlainObject(runInNewContext('({ a: 1 })'))).toBe(true);
  expect(isPlainObject(Object.create(null))).toBe(true);
  expect(isPlainObject(new (class Foo {})())).toBe(false);
  expect(isPlainObject(new Map())).toBe(false);
});
