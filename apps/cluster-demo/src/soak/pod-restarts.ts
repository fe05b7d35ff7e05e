// Restarts one pod at a time on a fixed period, graceful (SIGTERM, drain) and crash (SIGKILL) in
// turn, and remembers when each SIGKILL happened, so a request that was in flight then can be told
// apart from a real error. A graceful restart is a rolling deploy's: the pod gets SIGTERM while the
// balancer still sends it requests, and must lose none of them.
import type { PodClusterHandle } from '@mcp-session-store/testing';

export interface PodRestart {
  pod: string;
  kind: 'graceful' | 'sigkill';
  /**
   * Milliseconds (Date.now()) when the pod got its signal (a SIGKILLed pod leaves the balancer
   * just before; a SIGTERMed one when its readiness probe fails).
   */
  startedAt: number;
  /** When the old process had exited. */
  exitedAt?: number;
  /** When the new process answered /healthz and was back in the balancer. */
  readyAt?: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PodRestarter {
  readonly restarts: PodRestart[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly cluster: PodClusterHandle,
    private readonly everyMs: number,
    private readonly log: (line: string, at: number) => void,
  ) {}

  /** Restart k (1, 2, ...) happens at `startedAt + k × everyMs`, while that is before `endsAt`. */
  start(startedAt: number, endsAt: number): void {
    this.loop = (async () => {
      for (let k = 1; !this.stopped; k++) {
        const due = startedAt + k * this.everyMs;
        if (due >= endsAt) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, Math.max(0, due - Date.now()));
        });
        if (this.stopped) return;
        await this.restartOne(k);
      }
    })();
  }

  private async restartOne(k: number): Promise<void> {
    // The last pod is never restarted (with 2 pods or more): one process lives through the whole
    // run, long enough for the memory trend check to mean something. The others take turns; the
    // kind alternates per round as well, so each pod gets both kinds over a long run.
    const rotating = Math.max(1, this.cluster.pods.length - 1);
    const index = (k - 1) % rotating;
    const round = Math.floor((k - 1) / rotating);
    const pod = this.cluster.pods[index]!;
    const kind = (k - 1 + round) % 2 === 0 ? 'graceful' : 'sigkill';
    const restart: PodRestart = { pod: pod.name, kind, startedAt: Date.now() };
    this.restarts.push(restart);
    try {
      if (kind === 'sigkill') {
        await this.cluster.kill(index);
        restart.exitedAt = Date.now();
        await this.cluster.restart(index);
      } else {
        // restart() SIGTERMs the pod while it is in the balancer (its readiness probe takes it out,
        // then it drains), waits for it to exit, then starts it again.
        await this.cluster.restart(index);
      }
      restart.readyAt = Date.now();
      restart.exitedAt ??= restart.readyAt;
      this.log(
        `${pod.name} ${kind === 'sigkill' ? 'killed (SIGKILL)' : 'stopped (SIGTERM, drained)'} and restarted: back in the balancer ${((restart.readyAt - restart.startedAt) / 1000).toFixed(1)} s later`,
        restart.startedAt,
      );
    } catch (error) {
      restart.error = error instanceof Error ? error.message : String(error);
      restart.exitedAt ??= Date.now();
      this.log(`${pod.name} ${kind} restart FAILED: ${restart.error.split('\n')[0]}`, restart.startedAt);
      // Leave it a moment before the next one instead of spinning on a broken pod.
      await sleep(1_000);
    }
  }

  /**
   * Whether a request that ran from `from` to `to` (Date.now() values) was in flight while a pod was
   * SIGKILLed: it started before the killed process had exited and ended after the kill began.
   */
  inFlightDuringKill(from: number, to: number): boolean {
    return this.restarts.some(
      (r) => r.kind === 'sigkill' && from <= (r.exitedAt ?? Date.now()) && to >= r.startedAt,
    );
  }

  /** Stops scheduling; resolves once a restart in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }
}
