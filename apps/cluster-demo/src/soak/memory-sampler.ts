// Samples the memory of every pod process every few seconds, per incarnation (a restarted pod is a
// new process whose memory starts over): its resident memory (RSS, from the OS) and, less often,
// the memory it retains after a full garbage collection (the pod's /debug/memory probe).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PodClusterHandle } from '@mcp-session-store/testing';
import type { RetainedMemory } from '../memory-probe.js';

export interface MemorySample {
  /** Milliseconds since the run started. */
  t: number;
  bytes: number;
}

/** One process of one pod: from its first to its last sample. */
export interface Incarnation {
  pod: string;
  pid: number;
  /** Resident memory, every `rssEveryMs`. */
  rss: MemorySample[];
  /** Retained after a full collection, every `retainedEveryMs`. */
  retained: MemorySample[];
}

/** RSS of a process in bytes: /proc/<pid>/status (Linux), else `ps -o rss=`; undefined if it is gone. */
export async function readRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux, or the process is gone: ask ps
  }
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'rss=', '-p', String(pid)], (error, stdout) => {
      const kib = Number(stdout.trim());
      resolve(error || !stdout.trim() || !Number.isFinite(kib) ? undefined : kib * 1024);
    });
  });
}

/** A probe answer that takes longer than this is skipped: the pod is busy or going down. */
const PROBE_TIMEOUT_MS = 10_000;

/** What the pod's /debug/memory probe answers, or undefined if it does not (down, restarting). */
async function readRetained(podUrl: string): Promise<RetainedMemory | undefined> {
  try {
    const res = await fetch(`${podUrl}/debug/memory`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (!res.ok) return undefined;
    return (await res.json()) as RetainedMemory;
  } catch {
    return undefined;
  }
}

export interface MemorySamplerOptions {
  rssEveryMs: number;
  retainedEveryMs: number;
}

export class MemorySampler {
  private readonly byPid = new Map<number, Incarnation>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly cluster: PodClusterHandle,
    private readonly options: MemorySamplerOptions,
  ) {}

  start(runStartedAt: number): void {
    const every = (ms: number, sample: () => Promise<void>) => {
      const tick = () => {
        const sampling = sample().finally(() => this.inFlight.delete(sampling));
        this.inFlight.add(sampling);
      };
      tick();
      this.timers.push(setInterval(tick, ms));
    };
    every(this.options.rssEveryMs, () => this.sampleRss(runStartedAt));
    every(this.options.retainedEveryMs, () => this.sampleRetained(runStartedAt));
  }

  private incarnation(pod: string, pid: number): Incarnation {
    let incarnation = this.byPid.get(pid);
    if (!incarnation) {
      incarnation = { pod, pid, rss: [], retained: [] };
      this.byPid.set(pid, incarnation);
    }
    return incarnation;
  }

  private async sampleRss(runStartedAt: number): Promise<void> {
    await Promise.all(
      this.cluster.pods.map(async (pod) => {
        const pid = pod.pid;
        if (pid === undefined) return;
        const bytes = await readRss(pid);
        // A pid read while the pod was being replaced may belong to the old process: check again.
        if (bytes === undefined || pod.pid !== pid) return;
        this.incarnation(pod.name, pid).rss.push({ t: Date.now() - runStartedAt, bytes });
      }),
    );
  }

  private async sampleRetained(runStartedAt: number): Promise<void> {
    await Promise.all(
      this.cluster.pods.map(async (pod) => {
        const probed = await readRetained(pod.url);
        // The probe names its process: an answer is never filed under another incarnation.
        if (probed === undefined) return;
        this.incarnation(pod.name, probed.pid).retained.push({
          t: Date.now() - runStartedAt,
          bytes: probed.retained,
        });
      }),
    );
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.inFlight);
  }

  /** Every incarnation seen, in the order they first appeared. */
  incarnations(): Incarnation[] {
    return [...this.byPid.values()].filter((i) => i.rss.length > 0 || i.retained.length > 0);
  }

  /** The latest samples of each pod's current process, in pod order (undefined while it is down). */
  latest(): Array<{ pod: string; rss: number | undefined; retained: number | undefined }> {
    return this.cluster.pods.map((pod) => {
      const incarnation = pod.pid === undefined ? undefined : this.byPid.get(pod.pid);
      return {
        pod: pod.name,
        rss: incarnation?.rss.at(-1)?.bytes,
        retained: incarnation?.retained.at(-1)?.bytes,
      };
    });
  }
}
