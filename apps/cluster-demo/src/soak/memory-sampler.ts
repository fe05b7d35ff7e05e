// Samples the resident memory (RSS) of every pod process every few seconds, per incarnation: a
// restarted pod is a new process whose memory starts over.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PodClusterHandle } from '@mcp-session-store/testing';

export interface RssSample {
  /** Milliseconds since the run started. */
  t: number;
  bytes: number;
}

/** One process of one pod: from its first to its last sample. */
export interface Incarnation {
  pod: string;
  pid: number;
  samples: RssSample[];
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

export class RssSampler {
  private readonly byPid = new Map<number, Incarnation>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly cluster: PodClusterHandle,
    private readonly everyMs: number,
  ) {}

  start(runStartedAt: number): void {
    const tick = () => {
      this.sampling = this.sample(runStartedAt);
    };
    tick();
    this.timer = setInterval(tick, this.everyMs);
  }

  private async sample(runStartedAt: number): Promise<void> {
    await Promise.all(
      this.cluster.pods.map(async (pod) => {
        const pid = pod.pid;
        if (pid === undefined) return;
        const bytes = await readRss(pid);
        // A pid read while the pod was being replaced may belong to the old process: check again.
        if (bytes === undefined || pod.pid !== pid) return;
        let incarnation = this.byPid.get(pid);
        if (!incarnation) {
          incarnation = { pod: pod.name, pid, samples: [] };
          this.byPid.set(pid, incarnation);
        }
        incarnation.samples.push({ t: Date.now() - runStartedAt, bytes });
      }),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  /** Every incarnation seen, in the order they first appeared. */
  incarnations(): Incarnation[] {
    return [...this.byPid.values()].filter((i) => i.samples.length > 0);
  }

  /** The latest RSS of each pod's current process, in pod order (undefined while it is down). */
  latest(): Array<{ pod: string; bytes: number | undefined }> {
    return this.cluster.pods.map((pod) => {
      const incarnation = pod.pid === undefined ? undefined : this.byPid.get(pod.pid);
      return { pod: pod.name, bytes: incarnation?.samples.at(-1)?.bytes };
    });
  }
}
