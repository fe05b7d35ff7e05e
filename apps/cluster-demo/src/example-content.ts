// What the two example servers (example-server.ts on SDK 1.x, example-server-v2.ts on SDK v2) say:
// the texts, images, schemas, resources and prompts the official conformance runner checks, and the
// demo's own constants. Plain data and builders with no SDK import, so both servers answer alike and
// a change to one answer is made once.

/** Who the example server says it is. */
export const SERVER_INFO = { name: 'mcp-session-store-example-server', version: '1.0.0' };

/** What the example server offers, on either SDK. */
export const SERVER_CAPABILITIES = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
};

/** The resource clients subscribe to; `update_watched_resource` notifies them. */
export const WATCHED_URI = 'test://watched-resource';

/** A 1x1 red PNG. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** A WAV header with two bytes of silence. */
export const WAV_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

/**
 * A tool schema that must reach the client as written: SEP-1613 ($schema, $defs,
 * additionalProperties) and SEP-2106's wider 2020-12 vocabulary ($anchor, allOf/anyOf,
 * if/then/else), which the 0.2 runner checks (SKIPPED, not failed, when missing before 2026-07-28).
 */
export const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object' as const,
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  // Either way of contacting will do; which one is required follows from contactMethod.
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema 2020-12 keyword.
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

/** The prompt the demo's `sample` tools send to the client's LLM. */
export const SAMPLING_PROMPT = 'Say hi';

/** The steps `test_tool_with_logging` logs. */
export const LOG_LINES = ['Tool execution started', 'Tool processing data', 'Tool execution completed'];

/** The progress `test_tool_with_progress` reports, out of 100. */
export const PROGRESS_STEPS = [0, 50, 100];

/** Completions of `test_prompt_with_arguments`'s arg1. */
export const ARG1_VALUES = ['test', 'testing', 'tested'];

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tool result of one text block. */
export const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

// --- tool results the runner checks ------------------------------------------------------------

export const TOOL_TEXT = {
  simple: 'This is a simple text response for testing.',
  logging: 'Tool with logging executed successfully',
  reconnection: 'Reconnection test completed successfully.',
  error: 'This tool intentionally returns an error for testing',
};

export const imageContent = () => ({
  content: [{ type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' }],
});

export const audioContent = () => ({
  content: [{ type: 'audio' as const, data: WAV_BASE64, mimeType: 'audio/wav' }],
});

export const embeddedResourceContent = () => ({
  content: [
    {
      type: 'resource' as const,
      resource: {
        uri: 'test://embedded-resource',
        mimeType: 'text/plain',
        text: 'This is an embedded resource content.',
      },
    },
  ],
});

export const multipleContent = () => ({
  content: [
    { type: 'text' as const, text: 'Multiple content types test:' },
    { type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' },
    {
      type: 'resource' as const,
      resource: {
        uri: 'test://mixed-content-resource',
        mimeType: 'application/json',
        text: JSON.stringify({ test: 'data', value: 123 }),
      },
    },
  ],
});

// --- elicitation --------------------------------------------------------------------------------

/** A form elicitation's `requestedSchema`: a flat object of primitive properties. */
export interface FormSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
}

/** What `test_elicitation` asks (the message is the caller's). */
export const RESPONSE_SCHEMA: FormSchema = {
  type: 'object',
  properties: { response: { type: 'string', description: "User's response" } },
  required: ['response'],
};

/** SEP-1034: a default for every primitive type. */
export const SEP1034_DEFAULTS = {
  message: 'Please review and update the form fields with defaults',
  requestedSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'User name', default: 'John Doe' },
      age: { type: 'integer', description: 'User age', default: 30 },
      score: { type: 'number', description: 'User score', default: 95.5 },
      status: {
        type: 'string',
        description: 'User status',
        enum: ['active', 'inactive', 'pending'],
        default: 'active',
      },
      verified: { type: 'boolean', description: 'Verification status', default: true },
    },
    required: [],
  } satisfies FormSchema,
};

const titled = (prefix: string) =>
  ['First', 'Second', 'Third'].map((title, i) => ({ const: `value${i + 1}`, title: `${title} ${prefix}` }));

/** SEP-1330: every enum form. */
export const SEP1330_ENUMS = {
  message: 'Please select options from the enum fields',
  requestedSchema: {
    type: 'object',
    properties: {
      untitledSingle: {
        type: 'string',
        description: 'Select one option',
        enum: ['option1', 'option2', 'option3'],
      },
      titledSingle: { type: 'string', description: 'Select one option with titles', oneOf: titled('Option') },
      legacyEnum: {
        type: 'string',
        description: 'Select one option (legacy)',
        enum: ['opt1', 'opt2', 'opt3'],
        enumNames: ['Option One', 'Option Two', 'Option Three'],
      },
      untitledMulti: {
        type: 'array',
        description: 'Select multiple options',
        minItems: 1,
        maxItems: 3,
        items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
      },
      titledMulti: {
        type: 'array',
        description: 'Select multiple options with titles',
        minItems: 1,
        maxItems: 3,
        items: { anyOf: titled('Choice') },
      },
    },
    required: [],
  } satisfies FormSchema,
};

/** What the demo's `ask` tools elicit. */
export const NAME_QUESTION = {
  message: 'What is your name?',
  requestedSchema: {
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name'],
  } satisfies FormSchema,
};

// --- multi-round-trip input (2026-07-28, SEP-2322): what the v2 server's inputRequired tools ask --

/** A one-field form: `{ <field>: <type> }`, the field required. */
const oneField = (field: string, type: 'string' | 'boolean'): FormSchema => ({
  type: 'object',
  properties: { [field]: { type } },
  required: [field],
});

/**
 * What the v2 example server's `inputRequired` tools and prompt ask, under the keys and in the
 * words the 2026-07-28 runner's input-required scenarios expect.
 */
export const INPUT_QUESTIONS = {
  /** A sampling prompt: the LLM is asked this. */
  capital: 'What is the capital of France?',
  /** A sampling prompt, asked beside a name and the roots. */
  greeting: 'Generate a greeting',
  /** An elicitation the requestState tools ask beside their state. */
  confirm: { message: 'Please confirm', requestedSchema: oneField('ok', 'boolean') },
  /** The two rounds of the multi-round tool. */
  step1: { message: 'Step 1: What is your name?', requestedSchema: oneField('name', 'string') },
  step2: { message: 'Step 2: What is your favorite color?', requestedSchema: oneField('color', 'string') },
  /** What the input-required prompt asks before it renders. */
  promptContext: {
    message: 'What context should the prompt use?',
    requestedSchema: oneField('context', 'string'),
  },
};

/** How the runner's elicitation tools report the answer. */
export const describeElicitation = (result: { action: string; content?: unknown }) =>
  `action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;

/** How the demo's tools report an elicitation: `<pod>:<action>:<content>`. */
export const podElicitation = (pod: string, result: { action: string; content?: unknown }) =>
  `${pod}:${result.action}:${JSON.stringify(result.content ?? {})}`;

/** The text of a sampling result's (first) content block. */
export function sampledText(content: unknown): string | undefined {
  const block = Array.isArray(content) ? content[0] : content;
  const { type, text } = (block ?? {}) as { type?: unknown; text?: unknown };
  return type === 'text' && typeof text === 'string' ? text : undefined;
}

// --- resources ----------------------------------------------------------------------------------

/** The fixed resources: name, URI, what resources/list shows, and what a read returns. */
export const STATIC_RESOURCES = [
  {
    name: 'static-text',
    uri: 'test://static-text',
    metadata: {
      title: 'Static Text Resource',
      description: 'A static text resource',
      mimeType: 'text/plain',
    },
    read: (uri: URL) => ({
      contents: [
        { uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
      ],
    }),
  },
  {
    name: 'static-binary',
    uri: 'test://static-binary',
    metadata: {
      title: 'Static Binary Resource',
      description: 'A static binary resource (image)',
      mimeType: 'image/png',
    },
    read: (uri: URL) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_BASE64 }] }),
  },
  {
    name: 'watched-resource',
    uri: WATCHED_URI,
    metadata: {
      title: 'Watched Resource',
      description: 'A resource clients can subscribe to',
      mimeType: 'text/plain',
    },
    read: (uri: URL) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }],
    }),
  },
];

/** The resource template (each SDK wraps `uriTemplate` in its own `ResourceTemplate`). */
export const TEMPLATE_RESOURCE = {
  name: 'template',
  uriTemplate: 'test://template/{id}/data',
  metadata: {
    title: 'Resource Template',
    description: 'Parameter substitution',
    mimeType: 'application/json',
  },
  read: (uri: URL, id: unknown) => ({
    contents: [
      {
        uri: uri.href,
        mimeType: 'application/json',
        text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
      },
    ],
  }),
};

/**
 * Resource subscriptions live in the session record, one metadata key per URI: any pod sees them,
 * and concurrent subscribes never overwrite each other (update merges by key).
 */
export const subscriptionKey = (uri: string) => `subscription:${uri}`;

// --- prompts ------------------------------------------------------------------------------------

const userText = (value: string) => ({
  role: 'user' as const,
  content: { type: 'text' as const, text: value },
});

/** The prompts: their listing (argument schemas are each SDK's own) and what they render. */
export const PROMPTS = {
  simple: {
    name: 'test_simple_prompt',
    metadata: { title: 'Simple Test Prompt', description: 'A prompt without arguments' },
    render: () => ({ messages: [userText('This is a simple prompt for testing.')] }),
  },
  withArguments: {
    name: 'test_prompt_with_arguments',
    metadata: {
      title: 'Prompt With Arguments',
      description: 'A prompt with required arguments (arg1 completes)',
    },
    arg1: 'First test argument',
    arg2: 'Second test argument',
    render: (arg1: string, arg2: string) => ({
      messages: [userText(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`)],
    }),
  },
  embeddedResource: {
    name: 'test_prompt_with_embedded_resource',
    metadata: { title: 'Prompt With Embedded Resource', description: 'A prompt that embeds a resource' },
    resourceUri: 'URI of the resource to embed',
    render: (resourceUri: string) => ({
      messages: [
        {
          role: 'user' as const,
          content: {
            type: 'resource' as const,
            resource: {
              uri: resourceUri,
              mimeType: 'text/plain',
              text: 'Embedded resource content for testing.',
            },
          },
        },
        userText('Please process the embedded resource above.'),
      ],
    }),
  },
  image: {
    name: 'test_prompt_with_image',
    metadata: { title: 'Prompt With Image', description: 'A prompt with image content' },
    render: () => ({
      messages: [
        {
          role: 'user' as const,
          content: { type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' },
        },
        userText('Please analyze the image above.'),
      ],
    }),
  },
};
