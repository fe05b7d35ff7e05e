import assert from 'node:assert/strict';
import { MAX_BUS_PAYLOAD_BYTES, type MessageBus } from '../contract/message-bus.js';
import type { JsonValue } from '../json.js';
import { createServerEventBus, type ServerEvent } from '../server-events/server-event-bus.js';
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
import type { AdapterFactory, SuiteOptions, TestApi } from './types.js';

async function openBus(world: TestWorld): Promise<MessageBus> {
  const bus = required((await world.open()).bus, 'bus');
  assertDeclaredAdapter(bus.capabilities, 'bus');
  return bus;
}

function inbox(): { got: JsonValue[]; handler: (p: JsonValue) => void } {
  const got: JsonValue[] = [];
  return { got, handler: (p) => void got.push(p) };
}

/** Time to wait before concluding that a message was (correctly) not delivered. */
const QUIET_MS = 300;

/**
 * The message bus conformance suite: delivery across instances, per-publisher order, isolation,
 * payload limits, error containment, close, and the v2 `ServerEventBus` written over the bus.
 *
 * @example
 * ```ts
 * messageBusSuite({ describe, it }, (ctx) => ({ bus: new MemoryMessageBus({ namespace: ctx.namespace }) }));
 * ```
 */
export function messageBusSuite(api: TestApi, factory: AdapterFactory, options: SuiteOptions = {}): void {
  const test = testRegistrar(api, factory, options);

  api.describe(options.name ?? 'MessageBus conformance', () => {
    api.describe('delivery', () => {
      test('delivers to subscribers on this instance and on another one', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const onA = inbox();
        const onB = inbox();
        await a.subscribe(channel, onA.handler);
        await b.subscribe(channel, onB.handler);
        await a.publish(channel, { hello: 'world' });
        await waitFor(() => onA.got.length === 1 && onB.got.length === 1, 'both subscribers to receive');
        assert.deepEqual(onA.got, [{ hello: 'world' }]);
        assert.deepEqual(onB.got, [{ hello: 'world' }]);
        await sleep(QUIET_MS);
        assert.equal(onB.got.length, 1, 'delivered once, not twice');
      });

      test('every subscriber of a channel receives each message once', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const boxes = [inbox(), inbox(), inbox(), inbox()];
        await a.subscribe(channel, boxes[0]!.handler);
        await a.subscribe(channel, boxes[1]!.handler);
        await b.subscribe(channel, boxes[2]!.handler);
        await b.subscribe(channel, boxes[3]!.handler);
        await b.publish(channel, 1);
        await b.publish(channel, 2);
        await waitFor(() => boxes.every((x) => x.got.length === 2), 'all four subscribers to receive');
        await sleep(QUIET_MS);
        for (const box of boxes) assert.deepEqual(box.got, [1, 2]);
      });

      test('keeps publish order per publisher, even when publishes are not awaited one by one', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const { got, handler } = inbox();
        await b.subscribe(channel, handler);
        const sends: Promise<void>[] = [];
        for (let i = 0; i < 200; i++) sends.push(a.publish(channel, { i }));
        await Promise.all(sends);
        await waitFor(() => got.length === 200, 'all 200 messages');
        assert.deepEqual(
          got,
          Array.from({ length: 200 }, (_, i) => ({ i })),
        );
      });

      test('carries every kind of JSON value exactly', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const { got, handler } = inbox();
        await b.subscribe(channel, handler);
        const payloads: JsonValue[] = [
          {
            nested: { list: [1, 'two', null, { three: [true, false] }] },
            unicode: 'héllo 🙂 你好 "q" \\ \n',
          },
          ['array', 1, -2.5],
          'a string',
          0,
          false,
          null,
          {},
        ];
        for (const p of payloads) await a.publish(channel, p);
        await waitFor(() => got.length === payloads.length, 'all payloads');
        assert.deepEqual(got, payloads);
      });

      test('carries a payload of just under 1 MiB; refuses a larger one with PAYLOAD_TOO_LARGE', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        assert.ok(a.capabilities.maxPayloadBytes >= MAX_BUS_PAYLOAD_BYTES, 'buses must carry at least 1 MiB');
        const channel = randomId('ch');
        const { got, handler } = inbox();
        await b.subscribe(channel, handler);
        const big = { blob: 'é'.repeat((MAX_BUS_PAYLOAD_BYTES - 64) / 2) };
        await a.publish(channel, big);
        const tooBig = { blob: 'x'.repeat(a.capabilities.maxPayloadBytes) };
        const err = await rejectsWithCode(
          a.publish(channel, tooBig),
          'PAYLOAD_TOO_LARGE',
          'oversized publish',
        );
        assert.equal(err.retryable, false);
        await a.publish(channel, 'after');
        await waitFor(() => got.length === 2, 'the large payload and the next one');
        assert.deepEqual(got, [big, 'after'], 'the refused payload is never delivered');
      });
    });

    api.describe('isolation', () => {
      test('channels are isolated', async (world) => {
        const bus = await openBus(world);
        const [one, two] = [inbox(), inbox()];
        const base = randomId('ch');
        await bus.subscribe(`${base}:1`, one.handler);
        await bus.subscribe(`${base}:2`, two.handler);
        await bus.publish(`${base}:1`, 'for one');
        await bus.publish(`${base}:*`, 'for a pattern');
        await bus.publish(base, 'for the prefix');
        await waitFor(() => one.got.length === 1, 'channel one');
        await sleep(QUIET_MS);
        assert.deepEqual(one.got, ['for one']);
        assert.deepEqual(two.got, []);
      });

      test('buses with different namespaces never exchange messages', async (world) => {
        const mine = await openBus(world);
        const theirs = required((await world.openOtherNamespace()).bus, 'bus');
        const channel = randomId('ch');
        const [onMine, onTheirs] = [inbox(), inbox()];
        await mine.subscribe(channel, onMine.handler);
        await theirs.subscribe(channel, onTheirs.handler);
        await theirs.publish(channel, 'theirs');
        await mine.publish(channel, 'mine');
        await waitFor(() => onMine.got.length === 1 && onTheirs.got.length === 1, 'own messages');
        await sleep(QUIET_MS);
        assert.deepEqual(onMine.got, ['mine']);
        assert.deepEqual(onTheirs.got, ['theirs']);
      });
    });

    api.describe('subscriptions', () => {
      test('unsubscribe stops delivery to that handler only, and is idempotent', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const [gone, stays] = [inbox(), inbox()];
        const off = await b.subscribe(channel, gone.handler);
        await b.subscribe(channel, stays.handler);
        await a.publish(channel, 1);
        await waitFor(() => gone.got.length === 1 && stays.got.length === 1, 'first message');
        await off();
        await off();
        await a.publish(channel, 2);
        await waitFor(() => stays.got.length === 2, 'second message to the remaining subscriber');
        await sleep(QUIET_MS);
        assert.deepEqual(gone.got, [1]);
        assert.deepEqual(stays.got, [1, 2]);
      });

      test('a throwing handler is reported through onError and harms no other delivery', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const good = inbox();
        let calls = 0;
        await b.subscribe(channel, () => {
          calls++;
          throw new Error('handler failure');
        });
        await b.subscribe(channel, async () => {
          throw new Error('async handler failure');
        });
        await b.subscribe(channel, good.handler);
        await a.publish(channel, 1);
        await a.publish(channel, 2);
        await waitFor(() => good.got.length === 2 && calls === 2, 'delivery despite failing handlers');
        await waitFor(() => world.reported.length >= 4, 'handler errors reported through onError');
        for (const error of world.reported) {
          assert.equal(error.code, 'HANDLER_ERROR');
          assert.ok(error.message.length > 0, 'a HANDLER_ERROR says what went wrong');
          assert.match(
            String((error.cause as Error | undefined)?.message),
            /handler failure/,
            'cause: the thrown error',
          );
        }
      });

      test('after unsubscribe resolves, the handler is not called, not even for messages already published', async (world) => {
        const bus = await openBus(world);
        const channel = randomId('ch');
        const [gone, stays] = [inbox(), inbox()];
        const off = await bus.subscribe(channel, gone.handler);
        await bus.subscribe(channel, stays.handler);
        const published = Array.from({ length: 20 }, (_, i) => bus.publish(channel, i));
        await off();
        const atUnsubscribe = gone.got.length;
        await Promise.all(published);
        await waitFor(() => stays.got.length === 20, 'the messages to reach the other subscriber');
        await sleep(QUIET_MS);
        assert.equal(gone.got.length, atUnsubscribe, 'no call after unsubscribe resolved');
      });

      test('a second subscribe to a channel still being subscribed resolves only once it is live', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const [first, second] = [inbox(), inbox()];
        const firstSubscribed = b.subscribe(channel, first.handler);
        await b.subscribe(channel, second.handler);
        // Published once the second subscribe resolved: the contract says it must arrive.
        await a.publish(channel, 'live');
        await waitFor(() => second.got.length === 1, 'the second subscriber to receive');
        await firstSubscribed;
        await waitFor(() => first.got.length === 1, 'the first subscriber to receive');
      });

      test('messages queued behind a slow handler are not delivered to it once unsubscribe or close resolved', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        let release = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const onA: JsonValue[] = [];
        const onB: JsonValue[] = [];
        const slow = (got: JsonValue[]) => async (message: JsonValue) => {
          got.push(message);
          await gate;
        };
        const off = await a.subscribe(channel, slow(onA));
        await b.subscribe(channel, slow(onB));
        const [witnessA, witnessB] = [inbox(), inbox()];
        await a.subscribe(channel, witnessA.handler);
        await b.subscribe(channel, witnessB.handler);
        for (let i = 0; i < 5; i++) await a.publish(channel, i);
        await waitFor(
          () => witnessA.got.length === 5 && witnessB.got.length === 5 && onA.length + onB.length === 2,
          'every message to arrive, the slow handlers holding the first',
        );
        await off();
        await b.close();
        release();
        await sleep(QUIET_MS);
        assert.deepEqual(onA, [0], 'no call after unsubscribe resolved');
        assert.deepEqual(onB, [0], 'no call after close resolved');
      });

      test('refuses invalid channels, non-function handlers and non-JSON payloads with INVALID_ARGUMENT', async (world) => {
        const bus = await openBus(world);
        for (const channel of ['', 'has space', 'caf\u00e9', 'x'.repeat(257), 7 as unknown as string]) {
          const what = JSON.stringify(channel);
          await rejectsWithCode(() => bus.publish(channel, 1), 'INVALID_ARGUMENT', `publish to ${what}`);
          await rejectsWithCode(
            () => bus.subscribe(channel, () => {}),
            'INVALID_ARGUMENT',
            `subscribe to ${what}`,
          );
        }
        const channel = randomId('ch');
        for (const handler of [undefined, null, 'handler', {}]) {
          await rejectsWithCode(
            () => bus.subscribe(channel, handler as unknown as () => void),
            'INVALID_ARGUMENT',
            `subscribe with a ${handler === null ? 'null' : typeof handler} handler`,
          );
        }
        for (const payload of [undefined, () => 1, Number.NaN, { d: new Date() }, 10n]) {
          await rejectsWithCode(
            () => bus.publish(channel, payload as unknown as JsonValue),
            'INVALID_ARGUMENT',
            `payload ${typeof payload}`,
          );
        }
      });
    });

    api.describe('server events (the v2 ServerEventBus written over this bus)', () => {
      const events = (): { got: ServerEvent[]; listener: (e: ServerEvent) => void } => {
        const got: ServerEvent[] = [];
        return { got, listener: (e) => void got.push(e) };
      };

      test('an event reaches listeners on its own instance at once and on another through the bus, once each, whole', async (world) => {
        const channel = randomId('events');
        const a = createServerEventBus({ bus: await openBus(world), channel });
        const b = createServerEventBus({ bus: await openBus(world), channel });
        try {
          await Promise.all([a.ready(), b.ready()]);
          const [onA, onB] = [events(), events()];
          a.subscribe(onA.listener);
          b.subscribe(onB.listener);
          const sent: ServerEvent[] = [
            { kind: 'tools_list_changed' },
            { kind: 'prompts_list_changed', params: { _meta: { reason: 'test' } } },
            { kind: 'resources_list_changed' },
            { kind: 'resource_updated', uri: 'file:///a.txt', params: { uri: 'file:///a.txt', title: 'A' } },
          ];
          for (const event of sent) a.publish(event);
          // Synchronously, before any bus round trip.
          assert.deepEqual(onA.got, sent);
          await waitFor(() => onB.got.length === sent.length, 'the other instance to receive every event');
          await sleep(QUIET_MS);
          assert.deepEqual(onB.got, sent, 'in order, whole, once');
          assert.deepEqual(onA.got, sent, 'the publisher delivered its own events once');
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });

      test('unsubscribe is idempotent and stops that listener only', async (world) => {
        const channel = randomId('events');
        const a = createServerEventBus({ bus: await openBus(world), channel });
        const b = createServerEventBus({ bus: await openBus(world), channel });
        try {
          await Promise.all([a.ready(), b.ready()]);
          const [kept, dropped] = [events(), events()];
          b.subscribe(kept.listener);
          const off = b.subscribe(dropped.listener);
          off();
          off();
          a.publish({ kind: 'tools_list_changed' });
          await waitFor(() => kept.got.length === 1, 'the remaining listener to receive');
          await sleep(QUIET_MS);
          assert.deepEqual(dropped.got, []);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });

      test('a bus that cannot carry an event is reported, never thrown into the publisher; a bad event is INVALID_ARGUMENT', async (world) => {
        const bus = await openBus(world);
        const reported: string[] = [];
        const a = createServerEventBus({
          bus,
          channel: randomId('events'),
          onError: (error, { operation }) =>
            void reported.push(`${operation}:${(error as { code?: string }).code}`),
        });
        const local = events();
        a.subscribe(local.listener);
        a.subscribe(() => {
          throw new Error('a broken listener');
        });
        await bus.close();
        assert.doesNotThrow(() => a.publish({ kind: 'tools_list_changed' }));
        assert.deepEqual(local.got, [{ kind: 'tools_list_changed' }], 'local listeners still get it');
        await waitFor(() => reported.includes('publish:CLOSED'), 'the failed publish to be reported');
        assert.ok(reported.includes('listener:undefined'), 'the throwing listener was reported');
        assert.throws(
          () => a.publish({ kind: 'resource_updated' } as unknown as ServerEvent),
          (error: unknown) => (error as { code?: string }).code === 'INVALID_ARGUMENT',
        );
        await a.close();
      });
    });

    api.describe('lifecycle', () => {
      test('after close, publish and subscribe fail with CLOSED and nothing more is delivered', async (world) => {
        const [a, b] = [await openBus(world), await openBus(world)];
        const channel = randomId('ch');
        const { got, handler } = inbox();
        await b.subscribe(channel, handler);
        await b.close();
        await b.close();
        await rejectsWithCode(() => b.publish(channel, 1), 'CLOSED', 'publish after close');
        await rejectsWithCode(() => b.subscribe(channel, handler), 'CLOSED', 'subscribe after close');
        await a.publish(channel, 'after close');
        await sleep(QUIET_MS);
        assert.deepEqual(got, []);
      });
    });
  });
}
