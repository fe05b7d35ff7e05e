// The 2026-07-28 clients of the rolling-restart test: SDK v2's client, pinned to 2026-07-28,
// keeps a `subscriptions/listen` stream open for the whole run (listening again whenever the
// server ends it, as the SDK tells an application to) while it makes calls through the balancer
// (plain, progress, a multi-round-trip elicitation whose retry may land on any pod).
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ELICITED } from '../test-client.js';
import type { TrafficContext } from './session-traffic.js';
import { describeError, type ListenWindow } from './tally.js';

/** Where the test's change notifications carry their sequence number. */
export const CHANGE_SEQ_META = 'mcpss.test/seq';
const POD = /^pod-\d+$/;

const textOf = (result: unknown): string =>
  (result as { content?: Array<{ text?: string }> }).content?.[0]?.text ??
  JSON.stringify(result).slice(0, 200);

/** Runs one 2026-07-28 client until `ctx.stopping()`; `windows` gets each of its listen streams. */
export async function runListenClient(ctx: TrafficContext, windows: ListenWindow[]): Promise<void> {
  while (!ctx.stopping()) {
    if (await runClient(ctx, windows)) return;
  }
}

/** One client's life: false if it could not connect (the caller tries again). */
async function runClient(ctx: TrafficContext, windows: ListenWindow[]): Promise<boolean> {
  const { tally } = ctx;
  const who = '2026-07-28 client';
  const client = new Client(
    { name: 'rolling-2026', version: '1' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async () => ELICITED);
  let current: ListenWindow | undefined;
  client.setNotificationHandler('notifications/tools/list_changed', (notification) => {
    const seq = (notification.params?._meta as Record<string, unknown> | undefined)?.[CHANGE_SEQ_META];
    if (typeof seq === 'number') current?.received.push(seq);
  });
  let done = false;
  client.onerror = (error) => {
    if (!done) tally.transportError(`${who}: ${describeError(error)}`);
  };
  const connected = await tally.request(`${who} connect`, async () => {
    await client.connect(new StreamableHTTPClientTransport(new URL(ctx.url)));
    return true;
  });
  if (!connected) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    return false;
  }

  // Listens, and listens again whenever the server ends the stream, until this client is done.
  let subscription: Awaited<ReturnType<Client['listen']>> | undefined;
  const listening = (async () => {
    while (!done) {
      const opened = await tally.request(`${who} subscriptions/listen`, () =>
        client.listen({ toolsListChanged: true }),
      );
      if (!opened) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      subscription = opened;
      const window: ListenWindow = { received: [] };
      windows.push(window);
      current = window;
      // Done while this listen was being acknowledged: close it now rather than wait on it.
      if (done) await opened.close();
      window.ended = await opened.closed;
      if (window.ended === 'remote' && !done) {
        tally.transportError(`${who}: a listen stream ended without the server's graceful result`);
      }
    }
  })();

  for (let i = 0; !ctx.stopping(); i++) {
    const step = i % 3;
    if (step === 0) {
      const text = await tally.request(`${who} whoami`, async () =>
        textOf(await client.callTool({ name: 'whoami', arguments: {} })),
      );
      if (text !== undefined && !POD.test(text)) tally.wrong(`${who} whoami`, text);
    } else if (step === 1) {
      let progress = 0;
      const text = await tally.request(`${who} count`, async () =>
        textOf(
          await client.callTool(
            { name: 'count', arguments: { steps: 3, delayMs: 20 } },
            { onprogress: () => void progress++ },
          ),
        ),
      );
      if (text !== undefined && (!/^pod-\d+:counted 3$/.test(text) || progress !== 3)) {
        tally.wrong(`${who} count`, `${text} after ${progress} progress notifications`);
      }
    } else {
      // input_required, then the retry with the answer: two requests, on whichever pods.
      const text = await tally.request(`${who} ask-input`, async () =>
        textOf(await client.callTool({ name: 'ask-input', arguments: {} })),
      );
      const expected = `:${ELICITED.action}:${JSON.stringify(ELICITED.content)}`;
      if (text !== undefined && !(POD.test(text.split(':')[0]!) && text.endsWith(expected))) {
        tally.wrong(`${who} ask-input`, text);
      }
    }
  }
  done = true;
  await subscription?.close();
  await listening;
  await client.close().catch(() => {});
  return true;
}
