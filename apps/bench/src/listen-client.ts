// A 2026-07-28 `subscriptions/listen` stream over raw node:http: cheap enough to hold ten thousand
// of them in the bench process. Reports each tool list change as it arrives.
import { type Agent, request as httpRequest } from 'node:http';
import { listenBody, modernHeaders, TOOLS_CHANGED } from './wire-2026.js';

export interface ListenStream {
  /** Resolves once the server acknowledged the subscription (from then on, changes reach it). */
  readonly acknowledged: Promise<void>;
  /** Tool list changes received so far. */
  readonly changes: number;
  close(): void;
}

const ACKNOWLEDGED = 'notifications/subscriptions/acknowledged';

let nextId = 0;

/** Opens a listen stream for tool list changes on `endpoint`; `onChange` runs for each one. */
export function openListenStream(endpoint: URL, agent: Agent, onChange: () => void): ListenStream {
  const body = listenBody(`listen-${nextId++}`);
  let changes = 0;
  let acknowledge: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const acknowledged = new Promise<void>((resolve, reject) => {
    acknowledge = resolve;
    fail = reject;
  });
  const req = httpRequest(
    {
      host: endpoint.hostname,
      port: endpoint.port,
      path: endpoint.pathname,
      method: 'POST',
      agent,
      headers: { ...modernHeaders('subscriptions/listen'), 'content-length': Buffer.byteLength(body) },
    },
    (res) => {
      if (res.statusCode !== 200) {
        fail(new Error(`subscriptions/listen: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (event.includes(TOOLS_CHANGED)) {
            changes++;
            onChange();
          } else if (event.includes(ACKNOWLEDGED)) acknowledge();
          else if (event.includes('"error"')) fail(new Error(`subscriptions/listen: ${event.slice(0, 200)}`));
        }
      });
      res.on('close', () => fail(new Error('subscriptions/listen: the stream closed')));
    },
  );
  req.on('error', (error) => fail(error));
  req.end(body);
  // A failure after close() is expected; one before the acknowledgement is the caller's to see.
  acknowledged.catch(() => {});
  return {
    acknowledged,
    get changes() {
      return changes;
    },
    close: () => void req.destroy(),
  };
}
