import assert from 'node:assert/strict';
import type { EventStoreFactory, SessionEventStore, StoredMessage } from '../contract/event-store.js';
import {
  assertDeclaredAdapter,
  randomId,
  rejectsWithCode,
  required,
  sleep,
  type TestWorld,
  testRegistrar,
  waitFor,
} from './helpers.js';
import { INVALID_SESSION_IDS } from './session-store-suite.js';
import type { AdapterFactory, SuiteOptions, TestApi } from './types.js';

/** The SDK's stream id of the standalone GET stream: the same constant in every session. */
const GET_STREAM = '_GET_stream';
/** The SDK's priming event: stored, never replayed. */
const PRIMING: StoredMessage = {};

type Sent = Array<{ eventId: string; message: StoredMessage }>;

function message(n: number, extra: StoredMessage = {}): StoredMessage {
  return {
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: { level: 'info', data: { n, ...extra } },
  };
}

function collector(): { sent: Sent; send: (eventId: string, m: StoredMessage) => Promise<void> } {
  const sent: Sent = [];
  return { sent, send: async (eventId, m) => void sent.push({ eventId, message: m }) };
}

async function openEvents(world: TestWorld): Promise<EventStoreFactory> {
  const events = required((await world.open()).eventStore, 'eventStore');
  assertDeclaredAdapter(events.capabilities, 'eventStore');
  return events;
}

async function storeAll(
  store: SessionEventStore,
  streamId: string,
  messages: StoredMessage[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const m of messages) ids.push(await store.storeEvent(streamId, m));
  return ids;
}

async function assertRefused(store: SessionEventStore, eventId: string, what: string): Promise<void> {
  assert.equal(await store.getStreamIdForEventId(eventId), undefined, `${what}: getStreamIdForEventId`);
  const { sent, send } = collector();
  await rejectsWithCode(store.replayEventsAfter(eventId, { send }), 'EVENT_NOT_FOUND', `${what}: replay`);
  assert.equal(sent.length, 0, `${what}: nothing may be sent`);
}

/**
 * The event store conformance suite: the SDK's `EventStore` rules for resumable streams across
 * processes (unique ids that resolve to their stream, priming events never written or replayed and
 * resuming from the start of their stream on any process, foreign ids refused, retention, cap,
 * purge, live follow). Give `inspect.backendCalls` and it also proves that a priming event makes
 * no backend call.
 *
 * @example
 * ```ts
 * eventStoreSuite({ describe, it }, (ctx) => ({
 *   eventStore: new MemoryEventStore({ clock: ctx.clock, ttlMs: ctx.eventTtlMs }),
 * }));
 * ```
 */
export function eventStoreSuite(api: TestApi, factory: AdapterFactory, options: SuiteOptions = {}): void {
  const test = testRegistrar(api, factory, options);

  api.describe(options.name ?? 'EventStore conformance', () => {
    api.describe('store and replay', () => {
      test('event ids are unique across streams and resolve to their stream from stored data', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const streams = [GET_STREAM, randomId('post'), 'odd:{tag}/*?#stream'];
        const ids = new Map<string, string>();
        for (let i = 0; i < 60; i++) {
          const streamId = streams[i % streams.length]!;
          const id = await store.storeEvent(streamId, message(i));
          assert.equal(typeof id, 'string');
          assert.ok(!ids.has(id), `event id ${id} was handed out twice`);
          ids.set(id, streamId);
        }
        for (const [id, streamId] of ids) assert.equal(await store.getStreamIdForEventId(id), streamId);
      });

      test('replay sends the later events of the same stream, in order, and returns its stream id', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const a: string[] = [];
        for (let i = 0; i < 10; i++) {
          a.push(await store.storeEvent('stream-a', message(i)));
          await store.storeEvent(GET_STREAM, message(100 + i));
        }
        const { sent, send } = collector();
        assert.equal(await store.replayEventsAfter(a[3]!, { send }), 'stream-a');
        assert.deepEqual(
          sent.map((e) => e.eventId),
          a.slice(4),
        );
        assert.deepEqual(
          sent.map((e) => e.message),
          [4, 5, 6, 7, 8, 9].map((n) => message(n)),
        );
        const last = collector();
        assert.equal(await store.replayEventsAfter(a[9]!, { send: last.send }), 'stream-a');
        assert.equal(last.sent.length, 0, 'nothing after the last event');
      });

      test('the GET stream of one session resumes on its own, whatever other sessions hold', async (world) => {
        const events = await openEvents(world);
        const mine = events.forSession(randomId());
        const theirs = events.forSession(randomId());
        const first = await mine.storeEvent(GET_STREAM, message(1));
        await theirs.storeEvent(GET_STREAM, message(-1));
        const second = await mine.storeEvent(GET_STREAM, message(2));
        await theirs.storeEvent(GET_STREAM, message(-2));
        const { sent, send } = collector();
        assert.equal(await mine.replayEventsAfter(first, { send }), GET_STREAM);
        assert.deepEqual(sent, [{ eventId: second, message: message(2) }]);
      });

      test('priming events ({}) are never replayed', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const priming = await store.storeEvent('post-1', PRIMING);
        assert.equal(await store.getStreamIdForEventId(priming), 'post-1');
        await store.storeEvent('post-1', message(1));
        await store.storeEvent('post-1', PRIMING);
        await store.storeEvent('post-1', message(2));
        const { sent, send } = collector();
        assert.equal(await store.replayEventsAfter(priming, { send }), 'post-1');
        assert.deepEqual(
          sent.map((e) => e.message),
          [message(1), message(2)],
        );
      });

      test('messages round-trip exactly: unicode, nesting, large payloads', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const originals: StoredMessage[] = [
          { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'héllo 🙂 "q" \\ \n' }] } },
          { jsonrpc: '2.0', id: 'x', error: { code: -32000, message: 'nope', data: null } },
          {
            jsonrpc: '2.0',
            method: 'n',
            params: { big: 'é'.repeat(100_000), list: [1, [2, [3]], { a: {} }] },
          },
        ];
        const start = await store.storeEvent('s', PRIMING);
        await storeAll(store, 's', originals);
        const { sent, send } = collector();
        await store.replayEventsAfter(start, { send });
        assert.deepEqual(
          sent.map((e) => e.message),
          originals,
        );
      });
      test('stores SDK messages with optional fields left undefined, as JSON drops them', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const start = await store.storeEvent('s', PRIMING);
        // What the SDK really sends: optional properties present with the value undefined.
        const sdkMessage = {
          jsonrpc: '2.0',
          id: 3,
          result: {
            tools: [{ name: 't', description: undefined, inputSchema: { type: 'object' } }],
            _meta: undefined,
          },
        };
        await store.storeEvent('s', sdkMessage);
        const { sent, send } = collector();
        await store.replayEventsAfter(start, { send });
        assert.deepEqual(
          sent.map((e) => e.message),
          [{ jsonrpc: '2.0', id: 3, result: { tools: [{ name: 't', inputSchema: { type: 'object' } }] } }],
        );
      });
    });

    api.describe('priming events', () => {
      test('a priming event makes no backend call; its id depends only on the session and stream', async (world) => {
        const adapter = await world.open();
        const events = required(adapter.eventStore, 'eventStore');
        const other = await openEvents(world);
        const sessionId = randomId();
        const store = events.forSession(sessionId);
        await store.storeEvent('warm-up', message(0)); // connections, scripts: whatever a first call sets up
        const calls = adapter.inspect?.backendCalls?.();
        const first = await store.storeEvent('post-1', PRIMING);
        const again = await store.storeEvent('post-1', PRIMING);
        const otherStream = await store.storeEvent('post-2', PRIMING);
        if (calls !== undefined) {
          assert.equal(adapter.inspect!.backendCalls!(), calls, 'a priming event must not reach the backend');
        }
        assert.equal(typeof first, 'string');
        assert.equal(again, first, 'the same stream of the same session: the same priming id');
        assert.equal(
          await other.forSession(sessionId).storeEvent('post-1', PRIMING),
          first,
          'another instance derives the same priming id',
        );
        assert.notEqual(otherStream, first, 'another stream: another priming id');
        assert.notEqual(
          await events.forSession(randomId()).storeEvent('post-1', PRIMING),
          first,
          'another session: another priming id',
        );
        const stored = await store.storeEvent('post-1', message(1));
        assert.notEqual(stored, first, 'a stored event never gets a priming id');
        assert.equal(await store.storeEvent('post-1', PRIMING), first, 'stored events do not move it');
      });

      test('resuming from a priming id on another instance sends the whole stream from its start, and only it', async (world) => {
        const a = await openEvents(world);
        const b = await openEvents(world);
        const c = await openEvents(world);
        const sessionId = randomId();
        const priming = await a.forSession(sessionId).storeEvent('post-1', PRIMING);
        const onC = c.forSession(sessionId);
        assert.equal(await onC.getStreamIdForEventId(priming), 'post-1', 'before anything is stored');
        const empty = collector();
        assert.equal(await onC.replayEventsAfter(priming, { send: empty.send }), 'post-1');
        assert.deepEqual(empty.sent, [], 'a stream with no event replays nothing');
        const ids: string[] = [];
        for (let i = 1; i <= 5; i++) {
          ids.push(await (i % 2 ? a : b).forSession(sessionId).storeEvent('post-1', message(i)));
          await b.forSession(sessionId).storeEvent('post-2', message(-i));
          await b.forSession(sessionId).storeEvent(GET_STREAM, message(100 + i));
        }
        assert.equal(await onC.getStreamIdForEventId(priming), 'post-1');
        const { sent, send } = collector();
        assert.equal(await onC.replayEventsAfter(priming, { send }), 'post-1');
        assert.deepEqual(
          sent,
          ids.map((eventId, i) => ({ eventId, message: message(i + 1) })),
        );
      });

      test('follow from a priming id on another instance waits for the stream’s first events, then sends each once, in order', async (world) => {
        const a = await openEvents(world);
        const b = await openEvents(world);
        const sessionId = randomId();
        const writer = a.forSession(sessionId);
        const priming = await writer.storeEvent('post-1', PRIMING);
        const controller = new AbortController();
        const { sent, send } = collector();
        const errors: unknown[] = [];
        const streamId = await b.forSession(sessionId).follow(priming, {
          send,
          signal: controller.signal,
          onError: (e) => errors.push(e),
        });
        assert.equal(streamId, 'post-1');
        assert.deepEqual(sent, [], 'nothing stored yet');
        const ids: string[] = [];
        for (let i = 1; i <= 4; i++) {
          await writer.storeEvent('post-2', message(-i));
          ids.push(await writer.storeEvent('post-1', message(i)));
          await writer.storeEvent('post-1', PRIMING);
        }
        await waitFor(() => sent.length >= 4, 'the stream’s events to reach the follower');
        controller.abort();
        assert.deepEqual(
          sent,
          ids.map((eventId, i) => ({ eventId, message: message(i + 1) })),
        );
        assert.deepEqual(errors, []);

        // A follower that starts when events are already stored gets them first, then the rest.
        const late = new AbortController();
        const seen = collector();
        await b.forSession(sessionId).follow(priming, { send: seen.send, signal: late.signal });
        assert.equal(seen.sent.length, 4, 'the stored events come first');
        const fifth = await writer.storeEvent('post-1', message(5));
        await waitFor(() => seen.sent.length >= 5, 'the next event to reach the late follower');
        late.abort();
        assert.deepEqual(seen.sent.at(-1), { eventId: fifth, message: message(5) });
      });

      test('a priming id of another session is refused, even for a stream of the same name', async (world) => {
        const events = await openEvents(world);
        const victim = events.forSession(randomId());
        const attacker = events.forSession(randomId());
        const theirs = await victim.storeEvent(GET_STREAM, PRIMING);
        await victim.storeEvent(GET_STREAM, message(1, { secret: true }));
        await attacker.storeEvent(GET_STREAM, message(2));
        await assertRefused(attacker, theirs, 'priming id of another session');
        const controller = new AbortController();
        const { sent, send } = collector();
        await rejectsWithCode(
          attacker.follow(theirs, { send, signal: controller.signal }),
          'EVENT_NOT_FOUND',
          'follow from a priming id of another session',
        );
        controller.abort();
        assert.equal(sent.length, 0);
      });

      test('a tampered priming id is refused', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const one = await store.storeEvent('post-1', PRIMING);
        const two = await store.storeEvent('post-2', PRIMING);
        await store.storeEvent('post-1', message(1));
        await store.storeEvent('post-2', message(2));
        // Each id's two halves, crossed over: whatever the format, a mix of two ids is neither.
        const half = (id: string) => Math.floor(id.length / 2);
        const flip = (id: string, at: number) =>
          `${id.slice(0, at)}${id[at] === 'A' ? 'B' : 'A'}${id.slice(at + 1)}`;
        const fakes = [
          `${one.slice(0, half(one))}${two.slice(half(two))}`,
          `${two.slice(0, half(two))}${one.slice(half(one))}`,
          `${one}x`,
          one.slice(0, -1),
          flip(one, half(one)),
          flip(one, one.length - 1),
        ].filter((fake) => fake !== one && fake !== two);
        for (const fake of fakes)
          await assertRefused(store, fake, `tampered priming id ${fake.slice(0, 24)}`);
      });

      test(
        'a priming id is refused once its stream holds maxEventsPerStream events',
        async (world) => {
          const events = await openEvents(world);
          const store = events.forSession(randomId());
          const priming = await store.storeEvent('s', PRIMING);
          await storeAll(
            store,
            's',
            [1, 2, 3, 4].map((n) => message(n)),
          );
          const { sent, send } = collector();
          await store.replayEventsAfter(priming, { send });
          assert.deepEqual(
            sent.map((e) => e.message),
            [1, 2, 3, 4].map((n) => message(n)),
            'under the cap: the whole stream',
          );
          await store.storeEvent('s', message(5));
          await assertRefused(store, priming, 'priming id of a stream at the cap');
          await store.storeEvent('s', message(6));
          await assertRefused(store, priming, 'priming id of a trimmed stream');
          const other = await store.storeEvent('t', PRIMING);
          await store.storeEvent('t', message(7));
          assert.equal(await store.getStreamIdForEventId(other), 't', 'other streams are not affected');
        },
        { maxEventsPerStream: 5 },
      );
    });

    api.describe('resuming from now (tailEventId)', () => {
      test('tailEventId resumes a stream from now, on any instance: only what is stored afterwards', async (world) => {
        const a = await openEvents(world);
        const b = await openEvents(world);
        const sessionId = randomId();
        const writer = a.forSession(sessionId);
        await storeAll(writer, GET_STREAM, [message(1), message(2)]);
        const tail = await b.forSession(sessionId).tailEventId(GET_STREAM);
        assert.equal(await a.forSession(sessionId).getStreamIdForEventId(tail), GET_STREAM);
        const controller = new AbortController();
        const followed = collector();
        await a.forSession(sessionId).follow(tail, { send: followed.send, signal: controller.signal });
        assert.deepEqual(followed.sent, [], 'nothing stored before it is sent');
        const later = [
          await writer.storeEvent(GET_STREAM, message(3)),
          await writer.storeEvent('other-stream', message(-3)),
          await writer.storeEvent(GET_STREAM, message(4)),
        ];
        await waitFor(() => followed.sent.length >= 2, 'the later events to reach the follower');
        controller.abort();
        const expected = [
          { eventId: later[0], message: message(3) },
          { eventId: later[2], message: message(4) },
        ];
        assert.deepEqual(followed.sent, expected);
        const replayed = collector();
        assert.equal(
          await b.forSession(sessionId).replayEventsAfter(tail, { send: replayed.send }),
          GET_STREAM,
        );
        assert.deepEqual(replayed.sent, expected);
      });

      test('tailEventId of a stream that holds nothing is its priming id', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        await store.storeEvent('other-stream', message(0));
        const tail = await store.tailEventId('post-1');
        assert.equal(tail, await store.storeEvent('post-1', PRIMING));
        const first = await store.storeEvent('post-1', message(1));
        const { sent, send } = collector();
        await store.replayEventsAfter(tail, { send });
        assert.deepEqual(sent, [{ eventId: first, message: message(1) }]);
      });
    });

    api.describe('refusing foreign and unknown ids', () => {
      test('an event id of another session is refused', async (world) => {
        const events = await openEvents(world);
        const victim = events.forSession(randomId());
        const attacker = events.forSession(randomId());
        const secret = await victim.storeEvent(GET_STREAM, message(1, { secret: true }));
        await victim.storeEvent(GET_STREAM, message(2, { secret: true }));
        await attacker.storeEvent(GET_STREAM, message(3));
        await assertRefused(attacker, secret, 'foreign id');
      });

      test('unknown and malformed ids are refused', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const real = await store.storeEvent('s', message(1));
        const fakes = [
          '',
          'x',
          '0',
          '-1',
          '../../etc',
          `${real}0`,
          real.slice(0, -1),
          'z'.repeat(10_000),
          '*',
          '{}',
        ];
        for (const fake of fakes) await assertRefused(store, fake, `id ${JSON.stringify(fake.slice(0, 20))}`);
      });

      test('forSession refuses invalid session ids with INVALID_SESSION_ID', async (world) => {
        const events = await openEvents(world);
        for (const id of INVALID_SESSION_IDS) {
          await rejectsWithCode(
            () => events.forSession(id as string),
            'INVALID_SESSION_ID',
            JSON.stringify(id),
          );
        }
      });

      test('event stores with different namespaces never see each other’s events', async (world) => {
        const mine = await openEvents(world);
        const theirs = required((await world.openOtherNamespace()).eventStore, 'eventStore');
        const sessionId = randomId();
        const id = await mine.forSession(sessionId).storeEvent(GET_STREAM, message(1));
        await mine.forSession(sessionId).storeEvent(GET_STREAM, message(2));
        await assertRefused(theirs.forSession(sessionId), id, 'other namespace');
      });
    });

    api.describe('across processes', () => {
      test('another instance replays what the first one stored', async (world) => {
        const a = await openEvents(world);
        const b = await openEvents(world);
        const sessionId = randomId();
        const ids = await storeAll(a.forSession(sessionId), GET_STREAM, [message(1), message(2), message(3)]);
        const onB = b.forSession(sessionId);
        assert.equal(await onB.getStreamIdForEventId(ids[0]!), GET_STREAM);
        const { sent, send } = collector();
        assert.equal(await onB.replayEventsAfter(ids[0]!, { send }), GET_STREAM);
        assert.deepEqual(sent, [
          { eventId: ids[1], message: message(2) },
          { eventId: ids[2], message: message(3) },
        ]);
      });

      test('concurrent appends to one stream from two instances: unique ids, one order, nothing lost', async (world) => {
        const a = await openEvents(world);
        const b = await openEvents(world);
        const sessionId = randomId();
        const first = await a.forSession(sessionId).storeEvent('s', PRIMING);
        const writes = Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b).forSession(sessionId).storeEvent('s', message(i)),
        );
        const ids = await Promise.all(writes);
        assert.equal(new Set(ids).size, 40, 'ids must be unique');
        const fromA = collector();
        const fromB = collector();
        await a.forSession(sessionId).replayEventsAfter(first, { send: fromA.send });
        await b.forSession(sessionId).replayEventsAfter(first, { send: fromB.send });
        assert.equal(fromA.sent.length, 40);
        assert.deepEqual(fromA.sent, fromB.sent, 'both instances must replay one order');
        assert.deepEqual(new Set(fromA.sent.map((e) => e.eventId)), new Set(ids));
        // Resuming from the middle gives exactly the rest.
        const middle = fromA.sent[19]!.eventId;
        const rest = collector();
        await b.forSession(sessionId).replayEventsAfter(middle, { send: rest.send });
        assert.deepEqual(rest.sent, fromA.sent.slice(20));
      });

      test('follow replays, then delivers events appended later by another instance, with no gap or duplicate', async (world) => {
        const a = await openEvents(world);
        const b = await openEvents(world);
        const sessionId = randomId();
        const writer = a.forSession(sessionId);
        const start = await writer.storeEvent(GET_STREAM, message(0));
        await writer.storeEvent(GET_STREAM, message(1));
        const controller = new AbortController();
        const { sent, send } = collector();
        const errors: unknown[] = [];
        const streamId = await b.forSession(sessionId).follow(start, {
          send,
          signal: controller.signal,
          onError: (e) => errors.push(e),
        });
        assert.equal(streamId, GET_STREAM);
        assert.deepEqual(
          sent.map((e) => e.message),
          [message(1)],
          'already-stored events come first',
        );
        for (let i = 2; i <= 6; i++) {
          await writer.storeEvent(GET_STREAM, message(i));
          await writer.storeEvent('other-stream', message(-i));
          if (i === 4) await writer.storeEvent(GET_STREAM, PRIMING);
        }
        await waitFor(() => sent.length >= 6, 'followed events to arrive');
        controller.abort();
        const expected = [1, 2, 3, 4, 5, 6].map((n) => message(n));
        assert.deepEqual(
          sent.map((e) => e.message),
          expected,
        );
        assert.equal(new Set(sent.map((e) => e.eventId)).size, sent.length, 'no duplicate ids');
        await writer.storeEvent(GET_STREAM, message(7));
        await sleep(200);
        assert.equal(sent.length, 6, 'nothing is sent after abort');
        assert.deepEqual(errors, []);
      });

      test('follow refuses a foreign id with EVENT_NOT_FOUND', async (world) => {
        const events = await openEvents(world);
        const foreign = await events.forSession(randomId()).storeEvent(GET_STREAM, message(1));
        const controller = new AbortController();
        const { sent, send } = collector();
        await rejectsWithCode(
          events.forSession(randomId()).follow(foreign, { send, signal: controller.signal }),
          'EVENT_NOT_FOUND',
          'follow of a foreign id',
        );
        controller.abort();
        assert.equal(sent.length, 0);
      });
    });

    api.describe('follow: failures and abort', () => {
      test('a send failing during the replay rejects follow; one failing later goes to onError', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const start = await store.storeEvent(GET_STREAM, message(0));
        await store.storeEvent(GET_STREAM, message(1));
        const failing = new AbortController();
        await assert.rejects(
          store.follow(start, {
            send: async () => {
              throw new Error('send failed during the replay');
            },
            signal: failing.signal,
            onError: () => {},
          }),
          'a replay that could not be sent must reject follow',
        );
        failing.abort();

        const later = new AbortController();
        const errors: unknown[] = [];
        let calls = 0;
        await store.follow(start, {
          send: async () => {
            calls++;
            if (calls === 2) throw new Error('send failed while following');
          },
          signal: later.signal,
          onError: (error) => errors.push(error),
        });
        assert.equal(calls, 1, 'the replay was sent');
        await store.storeEvent(GET_STREAM, message(2));
        await waitFor(() => errors.length > 0, 'the failed send of a followed event to reach onError');
        later.abort();
      });

      test('a follow whose signal has already aborted sends nothing stored afterwards', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const start = await store.storeEvent(GET_STREAM, message(0));
        const aborted = new AbortController();
        aborted.abort();
        const { sent, send } = collector();
        await store.follow(start, { send, signal: aborted.signal }).catch(() => undefined);
        const marker = new AbortController();
        const seen = collector();
        await store.follow(start, { send: seen.send, signal: marker.signal });
        await store.storeEvent(GET_STREAM, message(1));
        await waitFor(() => seen.sent.length === 1, 'the event to reach a live follower');
        await sleep(200);
        marker.abort();
        assert.deepEqual(sent, [], 'an aborted follow sends nothing');
      });

      test('once the signal aborts, send is not called again, not even for events already waiting', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const start = await store.storeEvent(GET_STREAM, message(0));
        const controller = new AbortController();
        const sent: StoredMessage[] = [];
        await store.follow(start, {
          send: async (_id, m) => {
            sent.push(m);
            controller.abort();
          },
          signal: controller.signal,
        });
        const marker = new AbortController();
        const seen = collector();
        await store.follow(start, { send: seen.send, signal: marker.signal });
        await Promise.all([1, 2, 3].map((n) => store.storeEvent(GET_STREAM, message(n))));
        await waitFor(() => seen.sent.length === 3, 'the events to reach a live follower');
        await sleep(200);
        marker.abort();
        assert.equal(sent.length, 1, `one send, then the abort: got ${sent.length}`);
      });

      test('refuses an empty or non-string stream id with INVALID_ARGUMENT', async (world) => {
        const store = (await openEvents(world)).forSession(randomId());
        for (const streamId of ['', 7, null, undefined]) {
          for (const m of [message(1), PRIMING]) {
            await rejectsWithCode(
              () => store.storeEvent(streamId as unknown as string, m),
              'INVALID_ARGUMENT',
              `storeEvent${m === PRIMING ? ' (priming)' : ''} on stream ${JSON.stringify(streamId)}`,
            );
          }
          await rejectsWithCode(
            () => store.tailEventId(streamId as unknown as string),
            'INVALID_ARGUMENT',
            `tailEventId of stream ${JSON.stringify(streamId)}`,
          );
        }
      });
    });

    api.describe('retention', () => {
      test(
        'each stream keeps at most maxEventsPerStream events; trimmed ids are refused',
        async (world) => {
          const events = await openEvents(world);
          const store = events.forSession(randomId());
          const s = await storeAll(
            store,
            's',
            Array.from({ length: 8 }, (_, i) => message(i)),
          );
          const t = await storeAll(store, 't', [message(100), message(101)]);
          for (const trimmed of s.slice(0, 3)) await assertRefused(store, trimmed, 'trimmed id');
          const { sent, send } = collector();
          assert.equal(await store.replayEventsAfter(s[3]!, { send }), 's');
          assert.deepEqual(
            sent.map((e) => e.message),
            [4, 5, 6, 7].map((n) => message(n)),
          );
          const other = collector();
          await store.replayEventsAfter(t[0]!, { send: other.send });
          assert.deepEqual(
            other.sent.map((e) => e.message),
            [message(101)],
            'other streams are not trimmed',
          );
        },
        { maxEventsPerStream: 5 },
      );

      test('purgeSession removes every event of that session only, and is idempotent', async (world) => {
        const a = await openEvents(world);
        const b = await openEvents(world);
        const [gone, kept] = [randomId(), randomId()];
        const priming = await a.forSession(gone).storeEvent(GET_STREAM, PRIMING);
        const goneIds = await storeAll(a.forSession(gone), GET_STREAM, [message(1), message(2)]);
        const keptIds = await storeAll(a.forSession(kept), GET_STREAM, [message(1), message(2)]);
        await b.purgeSession(gone);
        await b.purgeSession(gone);
        await b.purgeSession(randomId());
        for (const id of goneIds) await assertRefused(a.forSession(gone), id, 'purged id');
        const afterPurge = collector();
        await a.forSession(gone).replayEventsAfter(priming, { send: afterPurge.send });
        assert.deepEqual(afterPurge.sent, [], 'a priming id of a purged session replays nothing');
        const { sent, send } = collector();
        await a.forSession(kept).replayEventsAfter(keptIds[0]!, { send });
        assert.equal(sent.length, 1, 'another session keeps its events');
      });

      test('events expire with the session: gone after the TTL since the last append', async (world) => {
        const events = await openEvents(world);
        const sessionId = randomId();
        const store = events.forSession(sessionId);
        const ids = await storeAll(store, GET_STREAM, [message(1), message(2)]);
        if (events.capabilities.clock === 'injectable') {
          world.clock.advance(world.ctx.eventTtlMs - 1_000);
          await store.storeEvent(GET_STREAM, message(3)); // an append extends retention
          world.clock.advance(world.ctx.eventTtlMs - 1_000);
          assert.equal(await store.getStreamIdForEventId(ids[0]!), GET_STREAM, 'kept while appended to');
          world.clock.advance(1_000); // exactly the TTL since the last append: gone
          for (const id of ids) await assertRefused(store, id, 'expired id');
          const expired = collector();
          await store.replayEventsAfter(await store.storeEvent(GET_STREAM, PRIMING), { send: expired.send });
          assert.deepEqual(expired.sent, [], 'a priming id sends no expired event');
          return;
        }
        const inspect = (await world.open()).inspect;
        assert.ok(inspect?.eventTtlMs, 'a backend-clock event store must provide inspect.eventTtlMs');
        const ttl = await inspect.eventTtlMs(sessionId);
        assert.ok(ttl !== null && ttl > 0, `events must carry an expiry, got ${ttl}`);
        assert.ok(ttl <= world.ctx.eventTtlMs + 1_000, `event TTL ${ttl} exceeds ttlMs`);
      });
    });

    api.describe('lifecycle', () => {
      test('after close, storing and replaying fail with CLOSED and followers stop', async (world) => {
        const events = await openEvents(world);
        const store = events.forSession(randomId());
        const first = await store.storeEvent('s', message(1));
        const controller = new AbortController();
        const { sent, send } = collector();
        await store.follow(first, { send, signal: controller.signal });
        await events.close();
        await events.close();
        await rejectsWithCode(() => store.storeEvent('s', message(2)), 'CLOSED', 'store after close');
        await rejectsWithCode(() => store.storeEvent('s', PRIMING), 'CLOSED', 'priming event after close');
        await rejectsWithCode(() => store.tailEventId('s'), 'CLOSED', 'tailEventId after close');
        await rejectsWithCode(() => store.replayEventsAfter(first, { send }), 'CLOSED', 'replay after close');
        assert.equal(sent.length, 0);
        controller.abort();
      });
    });
  });
}
