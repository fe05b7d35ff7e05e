// Where a pod's CPU time goes: a V8 sampling profile of this process over a window, summed by the
// package each sampled function belongs to. The throughput benchmark asks for one when a headline
// target is missed, on both sides of the pair, and reports the difference per request.
import { Session } from 'node:inspector/promises';

/** Self time of one function, in µs over the window. */
export interface ProfiledFunction {
  readonly what: string;
  readonly where: string;
  readonly us: number;
}

export interface ProfileSummary {
  /** Busy time sampled on the main thread (idle left out), µs. */
  readonly busyUs: number;
  /** Self time by package (or `node:` internals, GC, V8), µs. */
  readonly byPackage: Readonly<Record<string, number>>;
  /** The functions of `@mcp-session-store/*` with the most self time, µs. */
  readonly ours: readonly ProfiledFunction[];
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Sampling interval: fine enough for requests of a few hundred µs, coarse enough to cost little. */
const INTERVAL_US = 250;

/** Which part of Node.js a `node:` frame is: the web-standard layers apart from node:http and streams. */
function nodePart(url: string): string {
  if (url.startsWith('node:internal/webstreams/')) return 'Node.js: web streams (ReadableStream, ...)';
  if (url.startsWith('node:internal/deps/undici/')) return 'Node.js: undici (Request, Response, Headers)';
  if (/^node:(_http_|http$|net$|internal\/(http|streams|stream_base|net))/.test(url)) {
    return 'Node.js: node:http, net, node streams';
  }
  if (url.startsWith('node:internal/process/') || url.startsWith('node:internal/timers')) {
    return 'Node.js: event loop (ticks, timers)';
  }
  // Anything else by its module: node:internal/event_target -> event_target, node:events -> events.
  return `Node.js: ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
}

/** The package a sampled frame belongs to. */
function packageOf(frame: CallFrame): string {
  const { functionName, url } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    if (functionName === '(program)') return 'V8: (program), native code';
    return 'V8: builtins';
  }
  if (url.startsWith('node:')) return nodePart(url);
  const workspace = /\/packages\/([^/]+)\/dist\//.exec(url);
  if (workspace) return `@mcp-session-store/${workspace[1]}`;
  const modules = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  const last = modules.at(-1);
  if (last) return last[1]!;
  if (url.includes('/apps/bench/src/')) return 'the bench pod itself';
  return 'other';
}

function summarize(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i: the time until the next sample belongs to sample i.
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    const until = i + 1 < samples.length ? at + (deltas[i + 1] ?? 0) : profile.endTime;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, until - at));
  }
  const byPackage: Record<string, number> = {};
  const ours = new Map<string, ProfiledFunction>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(root)') continue;
    busyUs += us;
    const pkg = packageOf(frame);
    byPackage[pkg] = (byPackage[pkg] ?? 0) + us;
    if (pkg.startsWith('@mcp-session-store/')) {
      const file = frame.url.slice(frame.url.lastIndexOf('/') + 1);
      const where = `${pkg.slice('@mcp-session-store/'.length)}/${file}:${frame.lineNumber + 1}`;
      const what = frame.functionName || '(anonymous)';
      const key = `${what} ${where}`;
      ours.set(key, { what, where, us: (ours.get(key)?.us ?? 0) + us });
    }
  }
  const top = [...ours.values()].sort((a, b) => b.us - a.us).slice(0, 12);
  return { busyUs, byPackage, ours: top };
}

/** Profiles this process for `ms` and summarizes where the time went. */
export async function profileFor(ms: number): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: INTERVAL_US });
    await session.post('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, ms));
    const { profile } = await session.post('Profiler.stop');
    return summarize(profile as CpuProfile);
  } finally {
    session.disconnect();
  }
}
