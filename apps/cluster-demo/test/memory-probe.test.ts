// The pods' memory probe: what it reports moves with data kept alive, and not with garbage.
import { createMemoryProbe } from '../src/memory-probe.js';

const MIB = 1024 * 1024;
// 64 MiB in 256 KiB Buffers, far above the few MiB other work in this process moves the figure by.
const allocate = () => Array.from({ length: 256 }, () => Buffer.alloc(256 * 1024, 1));

test('retained memory counts what is still referenced, and drops once it is released', async () => {
  const probe = createMemoryProbe();
  const before = await probe();
  expect(before.pid).toBe(process.pid);
  let kept: Buffer[] | undefined = allocate();
  const holding = await probe();
  expect(holding.retained - before.retained).toBeGreaterThan(56 * MIB);
  expect(kept.length).toBe(256);
  kept = undefined;
  const after = await probe();
  expect(holding.retained - after.retained).toBeGreaterThan(56 * MIB);
});

test('garbage made just before a probe is not counted', async () => {
  const probe = createMemoryProbe();
  const before = await probe();
  allocate();
  const after = await probe();
  expect(after.retained - before.retained).toBeLessThan(8 * MIB);
});
