import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isSessionStoreError, TestClock } from '@mcp-session-store/core';
import {
  MemoryBackend,
  MemoryClaimStore,
  MemoryEventStore,
  MemoryMessageBus,
  MemorySessionStore,
} from '../src/index.js';

const session = (id: string, principal: string | null = 'p') => ({
  id,
  principal,
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'c', version: '1' },
});

test('components without a shared backend never share data', async () => {
  const a = new MemorySessionStore();
  const b = new MemorySessionStore();
  await a.create(session('same'));
  expect(await b.get('same')).toBeNull();
  const busA = new MemoryMessageBus();
  const busB = new MemoryMessageBus();
  const got: unknown[] = [];
  await busB.subscribe('ch', (m) => void got.push(m));
  await busA.publish('ch', 1);
  await new Promise((r) => setTimeout(r, 50));
  expect(got).toEqual([]);
  await Promise.all([a.close(), b.close(), busA.close(), busB.close()]);
});

test('sweepExpired frees expired records and their principal index entries', async () => {
  const backend = new MemoryBackend();
  const clock = new TestClock();
  const store = new MemorySessionStore({ backend, clock, idleTtlMs: 1_000, sweepIntervalMs: 0 });
  for (let i = 0; i < 50; i++) await store.create(session(`s${i}`, `user${i % 5}`));
  clock.advance(500);
  await store.touch('s0');
  clock.advance(600);
  expect(store.sweepExpired()).toBe(49);
  const state = backend.state('mcp');
  expect([...state.sessions.keys()]).toEqual(['s0']);
  expect([...state.principals.keys()]).toEqual(['user0']);
  await store.close();
});

test('the event store frees expired sessions and keeps live ones', async () => {
  const backend = new MemoryBackend();
  const clock = new TestClock();
  const events = new MemoryEventStore({ backend, clock, ttlMs: 1_000, sweepIntervalMs: 0 });
  await events.forSession('old').storeEvent('s', { n: 1 });
  clock.advance(900);
  await events.forSession('new').storeEvent('s', { n: 2 });
  clock.advance(200);
  expect(events.sweepExpired()).toBe(1);
  expect([...backend.state('mcp').events.keys()]).toEqual(['new']);
  await events.close();
});

test('expired claims do not accumulate: removed when met, and by the sweep', async () => {
  const backend = new MemoryBackend();
  const clock = new TestClock();
  const claims = new MemoryClaimStore({ backend, clock, sweepIntervalMs: 0 });
  for (let i = 0; i < 50; i++) expect(await claims.claim(`old-${i}`, 1_000)).toBe(true);
  clock.advance(500);
  expect(await claims.claim('young', 1_000)).toBe(true);
  clock.advance(600);
  // Met again: the expired claim is replaced, not kept beside the new one.
  expect(await claims.claim('old-0', 1_000)).toBe(true);
  expect(claims.sweepExpired()).toBe(49);
  expect([...backend.state('mcp').claims.keys()].sort()).toEqual(['old-0', 'young']);
  clock.advance(1_000);
  expect(claims.sweepExpired()).toBe(2);
  expect(backend.state('mcp').claims.size).toBe(0);
  await claims.close();
  expect(claims.sweepExpired()).toBe(0);
});

test('claim stores without a shared backend never share claims; with one, they do', async () => {
  const [a, b] = [new MemoryClaimStore(), new MemoryClaimStore()];
  expect(await a.claim('k', 60_000)).toBe(true);
  expect(await b.claim('k', 60_000)).toBe(true);
  const backend = new MemoryBackend();
  const [c, d] = [new MemoryClaimStore({ backend }), new MemoryClaimStore({ backend })];
  expect(await c.claim('k', 60_000)).toBe(true);
  expect(await d.claim('k', 60_000)).toBe(false);
  await Promise.all([a, b, c, d].map((s) => s.close()));
});

test('bad options fail at construction with INVALID_ARGUMENT', () => {
  const attempts = [
    () => new MemorySessionStore({ sweepIntervalMs: -1 }),
    () => new MemorySessionStore({ idleTtlMs: 0 }),
    () => new MemoryEventStore({ ttlMs: 0 }),
    () => new MemoryEventStore({ maxEventsPerStream: 2.5 }),
    () => new MemoryClaimStore({ sweepIntervalMs: 1.5 }),
  ];
  for (const attempt of attempts) {
    let error: unknown;
    try {
      attempt();
    } catch (err) {
      error = err;
    }
    expect(isSessionStoreError(error, 'INVALID_ARGUMENT')).toBe(true);
  }
});

test('the sweep timers never keep the process alive', () => {
  const script = `
    const { MemorySessionStore, MemoryEventStore, MemoryClaimStore } = require('@mcp-session-store/memory');
    new MemorySessionStore({ sweepIntervalMs: 10 });
    new MemoryEventStore({ sweepIntervalMs: 10 });
    new MemoryClaimStore({ sweepIntervalMs: 10 });
  `;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..'), timeout: 10_000 });
  expect(run.signal).toBeNull();
  expect(run.status).toBe(0);
});

test.each([
  ['require', `const m = require('PKG'); if (!m.NAME) throw new Error('missing export');`],
  ['import', `import('PKG').then((m) => { if (!m.NAME) throw new Error('missing export'); });`],
])('core and memory load with %s from a package that depends on them', (_, template) => {
  for (const [pkg, name] of [
    ['@mcp-session-store/core', 'SessionStoreError'],
    ['@mcp-session-store/core/conformance', 'sessionStoreSuite'],
    ['@mcp-session-store/memory', 'MemorySessionStore'],
    ['@mcp-session-store/memory', 'MemoryClaimStore'],
    ['@mcp-session-store/core/conformance', 'claimStoreSuite'],
  ] as const) {
    const code = template.replace('PKG', pkg).replace('NAME', name);
    const run = spawnSync(process.execPath, ['-e', code], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    expect({ pkg, stderr: run.stderr, status: run.status }).toEqual({ pkg, stderr: '', status: 0 });
  }
});
