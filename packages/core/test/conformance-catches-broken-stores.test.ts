// The suite is only worth something if it fails on stores that break the contract. Each broken
// store below breaks one rule; the session suite must fail on every one, and pass on the reference.
import { ConformanceRunner, sessionStoreSuite } from '../src/conformance/index.js';
import { BROKEN_STORES } from './fixtures/broken-stores.mjs';
import { referenceFactory } from './fixtures/reference-store.mjs';

async function failuresOf(factory: ReturnType<typeof referenceFactory>): Promise<string[]> {
  const runner = new ConformanceRunner();
  sessionStoreSuite(runner.api, factory);
  const results = await runner.run();
  expect(results.length).toBeGreaterThan(25);
  return results.filter((r) => !r.passed).map((r) => r.name);
}

test('the reference store passes every session test', async () => {
  expect(await failuresOf(referenceFactory())).toEqual([]);
});

// The test that must catch each broken store, by name.
const EXPECTED_CATCH: Record<string, string> = {
  'create-overwrites': 'create on a live id fails with SESSION_EXISTS',
  'touch-resurrects': 'touch never resurrects a deleted record',
  'update-ignores-version': 'compare-and-set: a stale expectedVersion fails',
  'get-returns-expired': 'expired records are never returned',
};

test.each(Object.keys(BROKEN_STORES))('the suite fails on a store whose %s', async (name) => {
  const Broken = BROKEN_STORES[name]!;
  const failures = await failuresOf(referenceFactory((store) => new Broken(store)));
  expect(failures.length).toBeGreaterThan(0);
  expect(failures.some((f) => f.includes(EXPECTED_CATCH[name]!))).toBe(true);
});

test('20 concurrent CAS updaters catch a store that ignores expectedVersion', async () => {
  const failures = await failuresOf(
    referenceFactory((store) => new BROKEN_STORES['update-ignores-version']!(store)),
  );
  expect(failures.some((f) => f.includes('20 concurrent updaters'))).toBe(true);
});
