// The claim suite is only worth something if it fails on claim stores that break the contract.
// Each broken store below breaks one rule; the suite must fail on every one, naming the test that
// guards that rule, and pass on the reference, with an injected clock and with a backend clock.
import { ConformanceRunner, claimStoreSuite } from '../src/conformance/index.js';
import { BROKEN_CLAIM_STORES } from './fixtures/broken-claim-stores.mjs';
import { referenceClaimFactory } from './fixtures/reference-claim-store.mjs';

async function failuresOf(factory: ReturnType<typeof referenceClaimFactory>): Promise<string[]> {
  const runner = new ConformanceRunner();
  claimStoreSuite(runner.api, factory);
  const results = await runner.run();
  expect(results.length).toBeGreaterThanOrEqual(10);
  return results.filter((r) => !r.passed).map((r) => `${r.name}: ${(r.error as Error)?.message}`);
}

test('the reference claim store passes every claim test (injected clock)', async () => {
  expect(await failuresOf(referenceClaimFactory())).toEqual([]);
});

test('the reference claim store passes every claim test (backend clock, real-time expiry, TTL read-back)', async () => {
  expect(await failuresOf(referenceClaimFactory({ clock: 'backend' }))).toEqual([]);
  expect(await failuresOf(referenceClaimFactory({ clock: 'backend', readBack: false }))).toEqual([]);
}, 60_000);

// The test that must catch each broken store, by name.
const EXPECTED_CATCH: Record<string, string> = {
  'read-then-write': 'exactly one of many concurrent claimers on several instances wins each key',
  'never-expires': 'a claim is held until its TTL has passed, then can be won again, once',
  'per-instance': 'while a claim lives, every later claim on any instance loses',
  'loser-extends': 'a losing claim neither extends nor restarts the claim it lost to',
  'ignores-namespace': 'claim stores with different namespaces never see each other’s claims',
  'lax-validation': 'bad keys and TTLs are refused with INVALID_ARGUMENT',
};

test('every broken claim store has its expected catch', () => {
  expect(Object.keys(EXPECTED_CATCH).sort()).toEqual(Object.keys(BROKEN_CLAIM_STORES).sort());
});

test.each(Object.keys(BROKEN_CLAIM_STORES))(
  'the claim suite fails on a claim store whose %s',
  async (name) => {
    const failures = await failuresOf(referenceClaimFactory({ Store: BROKEN_CLAIM_STORES[name]! }));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.filter((f) => f.includes(EXPECTED_CATCH[name]!))).toHaveLength(1);
  },
);

test('a backend-clock claim store that never expires fails the real-time expiry test, in bounded time', async () => {
  // Its TTL read-back gives it away first; without one, the suite waits for the claim to end.
  const Store = BROKEN_CLAIM_STORES['never-expires']!;
  const withReadBack = await failuresOf(referenceClaimFactory({ clock: 'backend', Store }));
  expect(withReadBack.some((f) => f.includes(EXPECTED_CATCH['never-expires']!))).toBe(true);
  const withoutReadBack = await failuresOf(
    referenceClaimFactory({ clock: 'backend', Store, readBack: false }),
  );
  expect(withoutReadBack.some((f) => f.includes('it never expires'))).toBe(true);
}, 60_000);
