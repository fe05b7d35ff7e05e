// The v2 example server's multi-round-trip tools and prompt (SEP-2322), under the names the
// 2026-07-28 runner's input-required scenarios call. Each is written once for both eras: it returns
// `inputRequired(...)` until the retried request carries what it needs. A 2026-07-28 client answers
// and retries on whatever process the balancer picks; on a 2025 session the SDK's legacy shim asks
// the client itself and runs the handler again. What must survive between rounds travels in
// `requestState`, sealed by the codec the process is given (the same key on every process), never in
// process memory.
import {
  acceptedContent,
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type InputRequests,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { INPUT_QUESTIONS, NAME_QUESTION, sampledText, text } from './example-content.js';

/**
 * What the tools seal into `requestState`: which tool minted it (a state is only good for that
 * tool), the round it ends, and what earlier rounds gathered.
 */
export interface ExampleRequestState {
  tool: string;
  round: number;
  name?: string | undefined;
}

type ToolResult = CallToolResult | InputRequiredResult;

/**
 * What seals and verifies the state: SDK v2's `createRequestStateCodec` (the stock server) or
 * core's (the pods: keyring, binding to principal and tool, at most once). `mint` gets the
 * handler's `ctx` (the state is bound to its principal and request).
 */
export type ExampleRequestStateCodec = Pick<RequestStateCodec<ExampleRequestState>, 'mint' | 'verify'>;

/** Accepted elicitation content, validated: anything else reads as not answered. */
const NAME = z.object({ name: z.string() });
const CONFIRM = z.object({ ok: z.boolean() });
const COLOR = z.object({ color: z.string() });
const CONTEXT = z.object({ context: z.string() });

const ask = (question: string, maxTokens: number) =>
  inputRequired.createMessage({
    messages: [{ role: 'user', content: { type: 'text', text: question } }],
    maxTokens,
  });
// The SDK's elicit builder types `requestedSchema` more narrowly than our plain-data forms.
const elicit = (form: { message: string; requestedSchema: object }) => inputRequired.elicit(form as never);

/** The capabilities the request declares: its 2026 envelope, or the 2025 session's initialize. */
function declaredCapabilities(ctx: ServerContext, server: McpServer): ClientCapabilities | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  return (
    (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ??
    server.server.getClientCapabilities()
  );
}

/** Registers the multi-round-trip tools and prompt on `server`, sealing state with `codec`. */
export function registerInputRequiredTools(server: McpServer, codec: ExampleRequestStateCodec): void {
  const tool = (name: string, description: string, handler: (ctx: ServerContext) => Promise<ToolResult>) =>
    server.registerTool(name, { description, inputSchema: z.object({}) }, (_args, ctx) => handler(ctx));
  /** The verified state of this round, if it was minted by `tool` (the seam verified it already). */
  const stateOf = (ctx: ServerContext, tool: string) => {
    const state = ctx.mcpReq.requestState<ExampleRequestState>();
    return state?.tool === tool ? state : undefined;
  };

  // --- one input of each kind ---------------------------------------------------------------------
  tool('test_input_required_result_elicitation', 'Asks for the caller name (elicitation)', async (ctx) => {
    const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', NAME);
    // A missing, declined, malformed or mis-keyed answer: ask again rather than fail.
    if (!answer) return inputRequired({ inputRequests: { user_name: elicit(NAME_QUESTION) } });
    return text(`Hello, ${answer.name}!`);
  });
  tool('test_input_required_result_sampling', 'Asks the client LLM a question (sampling)', async (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, 'capital_question');
    if (answer.kind !== 'sampling') {
      return inputRequired({ inputRequests: { capital_question: ask(INPUT_QUESTIONS.capital, 100) } });
    }
    return text(`Sampling response: ${sampledText(answer.result.content) ?? '(non-text content)'}`);
  });
  tool('test_input_required_result_list_roots', "Asks for the client's roots (roots/list)", async (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, 'client_roots');
    if (answer.kind !== 'roots') {
      return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    }
    const uris = answer.roots.map((root) => root.uri).join(', ');
    return text(`Client exposed ${answer.roots.length} root(s): ${uris}`);
  });
  // Needs sampling: a request that does not declare it is refused by the SDK with -32021.
  tool('test_missing_capability', 'Needs the sampling client capability (sampling)', async (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, 'llm_answer');
    if (answer.kind !== 'sampling') {
      return inputRequired({ inputRequests: { llm_answer: ask('Reply with the single word: pong', 16) } });
    }
    return text(`sampling round trip complete: ${sampledText(answer.result.content) ?? '?'}`);
  });

  // --- requestState ------------------------------------------------------------------------------
  // Round 1 asks for a confirmation and seals a state; round 2 needs both back. A tampered or
  // expired state never reaches the handler: the codec's verify answers -32602 first.
  const confirmedWithState = (name: string, key: string, done: string) =>
    tool(name, `Asks for a confirmation with a sealed requestState (${key})`, async (ctx) => {
      const confirmed = acceptedContent(ctx.mcpReq.inputResponses, 'confirm', CONFIRM);
      if (confirmed && stateOf(ctx, key)) return text(done);
      return inputRequired({
        inputRequests: { confirm: elicit(INPUT_QUESTIONS.confirm) },
        requestState: await codec.mint({ tool: key, round: 1 }, ctx),
      });
    });
  confirmedWithState(
    'test_input_required_result_request_state',
    'request_state',
    'state-ok: requestState verified and confirmation received',
  );
  confirmedWithState(
    'test_input_required_result_tampered_state',
    'tampered_state',
    'integrity-ok: requestState verified',
  );

  // Two rounds, the state changing between them: the name from round 1 rides in the state to round 2.
  tool('test_input_required_result_multi_round', 'Asks two questions in two rounds', async (ctx) => {
    const state = stateOf(ctx, 'multi_round');
    const responses = ctx.mcpReq.inputResponses;
    const name = state?.round === 1 ? acceptedContent(responses, 'step1', NAME)?.name : state?.name;
    if (name === undefined) {
      return inputRequired({
        inputRequests: { step1: elicit(INPUT_QUESTIONS.step1) },
        requestState: await codec.mint({ tool: 'multi_round', round: 1 }, ctx),
      });
    }
    const color = state?.round === 2 ? acceptedContent(responses, 'step2', COLOR)?.color : undefined;
    if (color === undefined) {
      return inputRequired({
        inputRequests: { step2: elicit(INPUT_QUESTIONS.step2) },
        requestState: await codec.mint({ tool: 'multi_round', round: 2, name }, ctx),
      });
    }
    return text(`Multi-round complete: ${name} likes ${color}`);
  });

  // Three kinds in one round; all three are asked again unless all three came back.
  tool(
    'test_input_required_result_multiple_inputs',
    'Asks for a name, a greeting and the roots',
    async (ctx) => {
      const responses = ctx.mcpReq.inputResponses;
      const name = acceptedContent(responses, 'user_name', NAME)?.name;
      const greeting = inputResponse(responses, 'greeting');
      const roots = inputResponse(responses, 'client_roots');
      if (
        !stateOf(ctx, 'multiple_inputs') ||
        name === undefined ||
        greeting.kind !== 'sampling' ||
        roots.kind !== 'roots'
      ) {
        return inputRequired({
          inputRequests: {
            user_name: elicit(NAME_QUESTION),
            greeting: ask(INPUT_QUESTIONS.greeting, 50),
            client_roots: inputRequired.listRoots(),
          },
          requestState: await codec.mint({ tool: 'multiple_inputs', round: 1 }, ctx),
        });
      }
      const said = sampledText(greeting.result.content) ?? 'Hello';
      return text(`${said} ${name}: ${roots.roots.length} root(s) visible`);
    },
  );

  // Asks only for what the request declares it can answer (the SDK refuses the rest with -32021).
  tool(
    'test_input_required_result_capabilities',
    'Asks only for input kinds the client declared',
    async (ctx) => {
      const answered = Object.keys(ctx.mcpReq.inputResponses ?? {});
      if (answered.length > 0)
        return text(`Capability-aware input requests fulfilled: ${answered.join(', ')}`);
      const declared = declaredCapabilities(ctx, server);
      const inputRequests: InputRequests = {};
      if (declared?.elicitation) inputRequests.user_name = elicit(NAME_QUESTION);
      if (declared?.sampling) inputRequests.greeting = ask('Generate a short greeting', 50);
      if (declared?.roots) inputRequests.client_roots = inputRequired.listRoots();
      if (Object.keys(inputRequests).length === 0) {
        return text('No declared client capability supports an input request');
      }
      return inputRequired({ inputRequests });
    },
  );

  // --- a prompt: prompts/get may return inputRequired too ------------------------------------------
  server.registerPrompt(
    'test_input_required_result_prompt',
    { title: 'Input-required prompt', description: 'Asks for context (elicitation) before rendering' },
    (ctx) => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_context', CONTEXT);
      if (!answer)
        return inputRequired({ inputRequests: { user_context: elicit(INPUT_QUESTIONS.promptContext) } });
      return {
        messages: [
          { role: 'user', content: { type: 'text', text: `Use the following context: ${answer.context}` } },
        ],
      };
    },
  );
}
