// The event suite is only worth something if it fails on event stores that break the contract.
// Each broken store below breaks one rule of priming events (or of resuming from now); the suite must fail on every one,
// naming the test that guards that rule, and pass on the reference.
import { type AdapterFactory, ConformanceRunner, eventStoreSuite } from '../src/conformance/index.js';
import { BROKEN_EVENT_STORES } from './fixtures/broken-event-stores.mjs';
import { referenceEventFactory } from './fixtures/reference-event-store.mjs';

async function failuresOf(factory: AdapterFactory): Promise<string[]> {
  const runner = new ConformanceRunner();
  eventStoreSuite(runner.api, factory);
  const results = await runner.run();
  expect(results.length).toBeGreaterThan(25);
  return results.filter((r) => !r.passed).map((r) => `${r.name}: ${(r.error as Error)?.message}`);
}

test('the reference event store passes every event test', async () => {
  expect(await failuresOf(referenceEventFactory())).toEqual([]);
}, 60_000);

// The test that must catch each broken store, by name.
const EXPECTED_CATCH: Record<string, string> = {
  'priming-written': 'a priming event makes no backend call; its id depends only on the session and stream',
  'priming-from-now':
    'resuming from a priming id on another instance sends the whole stream from its start, and only it',
  'priming-any-session': 'a priming id of another session is refused, even for a stream of the same name',
  'priming-per-process':
    'resuming from a priming id on another instance sends the whole stream from its start, and only it',
  'priming-ignores-cap': 'a priming id is refused once its stream holds maxEventsPerStream events',
  'tail-from-start': 'tailEventId resumes a stream from now, on any instance: only what is stored afterwards',
};

test('every broken event store has its expected catch', () => {
  expect(Object.keys(EXPECTED_CATCH).sort()).toEqual(Object.keys(BROKEN_EVENT_STORES).sort());
});

test.each(Object.keys(BROKEN_EVENT_STORES))(
  'the event suite fails on an event store whose %s',
  async (name) => {
    const failures = await failuresOf(referenceEventFactory(BROKEN_EVENT_STORES[name]!));
    expect(failures.filter((f) => f.includes(EXPECTED_CATCH[name]!))).toHaveLength(1);
  },
  60_000,
);

test('a store that writes priming events is caught without a call counter too: its ids are not derived', async () => {
  const withoutCounter: AdapterFactory = async (ctx) => {
    const adapter = await referenceEventFactory(BROKEN_EVENT_STORES['priming-written']!)(ctx);
    return { eventStore: adapter.eventStore! };
  };
  const failures = await failuresOf(withoutCounter);
  expect(failures.some((f) => f.includes('the same priming id'))).toBe(true);
}, 60_000);
