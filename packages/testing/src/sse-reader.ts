// Reads raw server-sent events, for tests and demos that control exactly when a stream breaks.

/** One server-sent event. */
export interface SseEvent {
  id: string | undefined;
  data: string;
}

/**
 * Reads SSE events from a response until `stop(events)` says so, the stream ends, or `untilMs`
 * (epoch ms) passes, then drops the connection. The default bound (20 s) guards against a hang; it
 * is no speed claim, so a loaded machine never hits it while the events are coming.
 */
export async function readEvents(
  res: Response,
  stop: (events: SseEvent[]) => boolean,
  untilMs = Date.now() + 20_000,
): Promise<SseEvent[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  while (!stop(events)) {
    const timeLeft = untilMs - Date.now();
    if (timeLeft <= 0) break;
    let timer: NodeJS.Timeout | undefined;
    const chunk = await Promise.race([
      reader.read(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeLeft);
      }),
    ]);
    clearTimeout(timer);
    if (chunk === null || chunk.done) break;
    const { value } = chunk;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      events.push({ id, data });
      end = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel().catch(() => {});
  return events;
}

/** The JSON-RPC messages among the events (priming events carry no data). */
// biome-ignore lint/suspicious/noExplicitAny: a test helper over arbitrary JSON-RPC messages
export const messagesOf = (events: SseEvent[]): any[] =>
  events.filter((e) => e.data.trim() !== '').map((e) => JSON.parse(e.data));
