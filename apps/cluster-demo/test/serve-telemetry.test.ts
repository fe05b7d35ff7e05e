// `pnpm demo --serve --traces`: every pod serves its OpenTelemetry metrics to Prometheus on the port
// the demo prints, and the demo prints every pod's spans, so an elicitation asked on one pod and
// answered through the other shows as one trace: the answer's span on the asking pod, a child of
// the request that asked, linked to the other pod's trace. No session id appears unredacted.
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { serve, stopServing, textOf } from './demo-serve.js';

/** What the pods print of one span (ConsoleSpanExporter's fields this test reads). */
interface PrintedSpan {
  pod: string;
  name: string;
  traceId: string;
  id: string;
  parentSpanId: string | undefined;
  linkedTraceIds: string[];
  text: string;
}

/** The spans in the demo's output: each one `pod-N | {` ... `pod-N | }`, one write per span. */
function printedSpans(output: string): PrintedSpan[] {
  const spans: PrintedSpan[] = [];
  for (const match of output.matchAll(/^(pod-\d+) \| \{\n([\s\S]*?)^\1 \| \}$/gm)) {
    const [, pod, body] = match as unknown as [string, string, string];
    const text = body.replace(/^pod-\d+ \| /gm, '');
    const field = (name: string) => new RegExp(`^ {2}${name}: '([^']*)'`, 'm').exec(text)?.[1];
    const parent = /^ {2}parentSpanContext: \{[^}]*?spanId: '([0-9a-f]+)'/ms.exec(text)?.[1];
    const links = /^ {2}links: \[([\s\S]*?)^ {2}\]/m.exec(text)?.[1] ?? '';
    spans.push({
      pod,
      name: field('name') ?? '',
      traceId: field('traceId') ?? '',
      id: field('id') ?? '',
      parentSpanId: parent,
      linkedTraceIds: [...links.matchAll(/traceId: '([0-9a-f]+)'/g)].map((m) => m[1]!),
      text,
    });
  }
  return spans;
}

/**
 * Polls `check` every 100 ms until it returns something, or fails after `ms` with `what` and what
 * `seen` says of the last try.
 */
async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  seen: () => string = () => '',
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen:\n${seen()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('--serve --traces: Prometheus metrics per pod, and one trace for an elicitation answered through another pod', async () => {
  const { demo, endpoint, pods, output } = await serve('--traces');
  const client = new ClientV2(
    { name: 'telemetry-test', version: '1' },
    { capabilities: { elicitation: {} } },
  );
  try {
    const metricsUrls = [
      ...output().matchAll(/^(pod-\d) metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/gm),
    ].map((m) => [m[1]!, m[2]!] as const);
    expect(metricsUrls.map(([pod]) => pod)).toEqual(['pod-0', 'pod-1']);
    expect(output()).toMatch(/^traces: every pod's spans as they end, printed here \(also in \S+\)$/m);

    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }));
    const transport = new TransportV2(new URL(endpoint));
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    // Round robin over two pods: the answer to an elicitation mostly goes to the pod that did not
    // ask (unless the client's GET stream reconnects in between).
    for (let i = 0; i < 4; i++) {
      expect(textOf(await client.callTool({ name: 'ask_input' }))).toMatch(
        /^pod-[01]:accept:\{"name":"Ada"\}$/,
      );
    }

    const scrape = () =>
      Promise.all(
        metricsUrls.map(async ([pod, url]) => {
          const res = await fetch(url);
          expect(res.status).toBe(200);
          return [pod, await res.text()] as const;
        }),
      );
    const forwardedCount =
      /^mcp_session_store_bus_forwarded_messages_total\{[^}]*direction="(sent|received)"[^}]*\} [1-9]/gm;
    // The pod that forwarded an answer counts it once its publish is done: maybe after the tool's
    // result reached the client.
    let lastScrape = '';
    const scrapes = await waitFor(
      'forwarded answers counted as sent and as received',
      async () => {
        const got = await scrape();
        lastScrape = got.map(([, text]) => text).join('\n');
        const directions = new Set([...lastScrape.matchAll(forwardedCount)].map((m) => m[1]));
        return directions.size === 2 ? got : undefined;
      },
      () =>
        lastScrape
          .split('\n')
          .filter((line) => line.includes('forwarded'))
          .join('\n'),
    );
    for (const [pod, scrape] of scrapes) {
      // Each pod served some of the requests (round robin).
      expect(scrape).toContain(`target_info{service_name="mcp-demo",service_instance_id="${pod}"`);
      expect(scrape).toMatch(
        new RegExp(`^mcp_server_operation_duration_count\\{[^}]*mcp_session_store_process_id="${pod}"`, 'm'),
      );
      expect(scrape).not.toContain(sessionId);
    }
    const both = scrapes.map(([, scrape]) => scrape).join('\n');
    // Histograms in seconds: the exporter appends no unit to the name, and `_total` to counters.
    for (const name of [
      'db_client_operation_duration_bucket{',
      'messaging_client_operation_duration_bucket{',
      'mcp_session_store_sessions_local{',
      'mcp_session_store_bus_forwarded_messages_total{',
      'mcp_session_store_streams_open{',
    ]) {
      expect(both).toContain(name);
    }
    // Bucket edges in seconds (the conventions' advice), not the SDK's default millisecond edges.
    expect(both).toMatch(/^mcp_server_operation_duration_bucket\{[^}]*le="0\.005"\} \d+$/m);
    expect(both).toMatch(/^db_client_operation_duration_bucket\{[^}]*le="0\.25"\} \d+$/m);

    // The answer's span on the pod that asked: in the trace of the tools/call that asked, a child of
    // its span, linked to the trace of the other pod, which received the answer. Spans are printed
    // as they end: the tools/call's after the answer's.
    const { forwarded, asked, sender } = await waitFor(
      "a forwarded answer's span, the tools/call that asked and the sender's spans",
      () => {
        const spans = printedSpans(output());
        for (const forwarded of spans.filter((s) => s.name === 'mcp_session_store.forwarded process')) {
          const asked = spans.find(
            (s) => s.name === 'tools/call ask_input' && s.traceId === forwarded.traceId,
          );
          const sender = spans.filter((s) => forwarded.linkedTraceIds.includes(s.traceId));
          if (asked && sender.length > 0) return { forwarded, asked, sender };
        }
        return undefined;
      },
      () => output().slice(-4_000),
    );
    expect(asked.pod).toBe(forwarded.pod);
    expect(forwarded.parentSpanId).toBe(asked.id);
    expect(forwarded.linkedTraceIds).toHaveLength(1);
    const otherPod = forwarded.pod === 'pod-0' ? 'pod-1' : 'pod-0';
    expect([...new Set(sender.map((span) => span.pod))]).toEqual([otherPod]);
    expect(forwarded.text).toContain(`'mcp_session_store.forwarded.kind': 'response'`);
    expect(output()).toContain(`'mcp.session.id': '`);
    expect(
      output()
        .split('\n')
        .filter((line) => line.includes(sessionId)),
    ).toEqual([]);

    await transport.terminateSession();
    await client.close();
    await stopServing(demo, pods);
  } finally {
    // After a failed expectation: neither the client's streams nor the demo and its pods outlive
    // the test.
    await client.close().catch(() => {});
    if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGTERM');
  }
});
