// A fixed number of workers draining a list: load with a bounded number of operations in flight.

/** Runs `fn` on every item, at most `concurrency` at a time; resolves when all are done. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
