// A pod's answer to "how much memory do you hold?" that a leak moves and garbage does not: after a
// full garbage collection, the V8 heap in use plus memory held outside it (Buffers, ArrayBuffers).
// RSS answers a different question: how far V8 has grown its heap, which it does in steps of tens of
// MiB, and gives back late, whatever the live data. The soak samples this (pod-settings.ts turns it on).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What `GET /debug/memory` answers, in bytes. */
export interface RetainedMemory {
  pid: number;
  /** `heapUsed + external` right after a full collection: the data still reachable. */
  retained: number;
  heapUsed: number;
  external: number;
  rss: number;
}

let collect: (() => void) | undefined;

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Returns a function that collects garbage fully and reports what is left. Exposes V8's `gc` here,
 * at run time, so the pod needs no `--expose-gc` on its command line.
 *
 * Two collections, each followed by a turn of the event loop: V8 frees the memory of a collected
 * ArrayBuffer (every large Buffer) after the collection, and `external` only drops once a later one
 * has run. With one, 64 MiB of Buffers released just before still counted (measured on Node 20).
 */
export function createMemoryProbe(): () => Promise<RetainedMemory> {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  const gc = collect;
  return async () => {
    gc();
    await nextTurn();
    gc();
    await nextTurn();
    const { heapUsed, external, rss } = process.memoryUsage();
    return { pid: process.pid, retained: heapUsed + external, heapUsed, external, rss };
  };
}
