// The 2025 session clients of the rolling-restart test: the SDK's real client (1.x or v2) opens a
// session through the balancer, makes calls (plain, progress, an elicitation the server asks for
// and a notification sent to its GET stream), waits until every notification it caused arrived,
// ends the session with DELETE, and opens the next one, until told to stop.
import type { SdkMajor } from '../sdk-major.js';
import { connectTestClient, ELICITED, type TestClient, textOf } from '../test-client.js';
import { describeError, type RollingTally } from './tally.js';

export interface TrafficContext {
  /** The MCP endpoint behind the balancer. */
  readonly url: string;
  readonly tally: RollingTally;
  /** True once the test wants the clients to finish (each ends its session or stream first). */
  readonly stopping: () => boolean;
}

/** Calls per session before it is ended and another opened. */
const CALLS_PER_SESSION = 8;
/** Bound on waiting for something the cluster must deliver (a GET stream, a notification). */
const DELIVERY_BOUND_MS = 20_000;
const POD = /^pod-\d+$/;

/** Numbers the notifications of every session, so each is told apart wherever it arrives. */
let nextSeq = 0;

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Runs sessions of SDK `sdk`'s client one after another until `ctx.stopping()`. */
export async function runSessionClient(sdk: SdkMajor, ctx: TrafficContext): Promise<void> {
  while (!ctx.stopping()) await runSession(sdk, ctx);
}

async function runSession(sdk: SdkMajor, ctx: TrafficContext): Promise<void> {
  const { tally } = ctx;
  const client_ = `2025 client (SDK ${sdk})`;
  let getStreamsOpened = 0;
  let ending = false;
  // Watches the client's own requests: its GET stream is open once a GET answered 200.
  const watched: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && response.ok) getStreamsOpened++;
    return response;
  };
  const client: TestClient | undefined = await tally.request(`${client_} initialize`, () =>
    connectTestClient(sdk, ctx.url, { clientInfo: { name: 'rolling', version: '1' }, fetch: watched }),
  );
  if (!client) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    return;
  }
  tally.sessions++;
  client.onTransportError((error) => {
    if (!ending) tally.transportError(`${client_}: ${describeError(error)}`);
  });
  const sent: number[] = [];
  const received = new Map<number, number>();
  client.onResourceUpdated((uri) => {
    const seq = Number(/[?&]seq=(\d+)$/.exec(uri)?.[1]);
    if (Number.isInteger(seq)) received.set(seq, (received.get(seq) ?? 0) + 1);
  });
  // A notification for the GET stream is delivered from the stream's opening on (the SDK and the
  // router alike): send them once the client opened it.
  const streamOpen = await until(() => getStreamsOpened > 0, DELIVERY_BOUND_MS);
  if (!streamOpen) tally.failures.push(`${tally.at()} ${client_}: its GET stream did not open`);

  for (let i = 0; i < CALLS_PER_SESSION && !ctx.stopping(); i++) {
    const step = i % 4;
    if (step === 0) {
      const text = await tally.request(`${client_} whoami`, async () =>
        textOf(await client.callTool('whoami')),
      );
      if (text !== undefined && !POD.test(text)) tally.wrong(`${client_} whoami`, text);
    } else if (step === 1) {
      let progress = 0;
      const text = await tally.request(`${client_} count`, async () =>
        textOf(
          await client.callTool('count', { steps: 3, delayMs: 20 }, { onprogress: () => void progress++ }),
        ),
      );
      if (text !== undefined && (!/^pod-\d+:counted 3$/.test(text) || progress !== 3)) {
        tally.wrong(`${client_} count`, `${text} after ${progress} progress notifications`);
      }
    } else if (step === 2) {
      // The server asks the client; the answer is a new POST, which may land on any pod.
      const text = await tally.request(`${client_} ask`, async () => textOf(await client.callTool('ask')));
      const expected = `:${ELICITED.action}:${JSON.stringify(ELICITED.content)}`;
      if (text !== undefined && !(POD.test(text.split(':')[0]!) && text.endsWith(expected))) {
        tally.wrong(`${client_} ask`, text);
      }
    } else if (streamOpen) {
      const seq = ++nextSeq;
      const text = await tally.request(`${client_} announce-numbered`, async () =>
        textOf(await client.callTool('announce-numbered', { seq })),
      );
      if (text !== undefined) sent.push(seq);
    }
  }

  // Every notification it caused reaches its GET stream, through every pod its stream moved to.
  await until(() => sent.every((seq) => received.has(seq)), DELIVERY_BOUND_MS);
  tally.sessionNotificationsSent += sent.length;
  for (const seq of sent) {
    const count = received.get(seq) ?? 0;
    if (count === 0) tally.sessionNotificationsMissing.push(`${tally.at()} ${client_}: notification ${seq}`);
    else tally.sessionNotificationsDelivered++;
    if (count > 1) tally.sessionNotificationsDuplicated += count - 1;
  }
  ending = true;
  await tally.request(`${client_} DELETE`, () => client.terminateSession());
  await client.close().catch(() => {});
}
