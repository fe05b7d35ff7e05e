// Priming event ids: derived from the session and stream ids alone, read back only by their session.
import {
  isPrimingEventId,
  isSessionStoreError,
  PRIMING_EVENT_ID_PREFIX,
  parsePrimingEventId,
  primingEventId,
} from '../src/index.js';

const SESSION = 'session-4f1c9a2b7e';
const STREAMS = [
  '_GET_stream',
  '0b8f6f1e-2c7d-4b51-9e0a-7c1f3d2e4a5b',
  'odd:{tag}/*?#.stream',
  'é🙂',
  'x'.repeat(512),
];

test.each(STREAMS)('the id of stream %s reads back to it in its session only', (streamId) => {
  const id = primingEventId(SESSION, streamId);
  expect(isPrimingEventId(id)).toBe(true);
  expect(id.startsWith(PRIMING_EVENT_ID_PREFIX)).toBe(true);
  expect(primingEventId(SESSION, streamId)).toBe(id);
  expect(parsePrimingEventId(SESSION, id)).toBe(streamId);
  expect(parsePrimingEventId(`${SESSION}x`, id)).toBeUndefined();
  expect(id).not.toContain(SESSION);
  expect(id).toMatch(/^[\x21-\x7e]+$/); // fits an SSE id and a Last-Event-ID header
});

test('anything else is not a priming id of the session', () => {
  const id = primingEventId(SESSION, 'post-1');
  const [tag, stream] = id.slice(PRIMING_EVENT_ID_PREFIX.length).split('.') as [string, string];
  const other = primingEventId(SESSION, 'post-2').slice(PRIMING_EVENT_ID_PREFIX.length).split('.')[1]!;
  for (const fake of [
    `${PRIMING_EVENT_ID_PREFIX}${tag}.${other}`, // the binding of another stream
    `${PRIMING_EVENT_ID_PREFIX}${tag}.${stream}=`,
    `${PRIMING_EVENT_ID_PREFIX}${tag}.${stream}.x`,
    `${PRIMING_EVENT_ID_PREFIX}${tag}`,
    `${PRIMING_EVENT_ID_PREFIX}${tag.slice(1)}.${stream}`,
    id.slice(1),
    `${id}${'A'.repeat(5000)}`,
    '',
    PRIMING_EVENT_ID_PREFIX,
  ]) {
    expect(parsePrimingEventId(SESSION, fake)).toBeUndefined();
  }
  for (const notAString of [undefined, null, 7, {}]) {
    expect(isPrimingEventId(notAString)).toBe(false);
    expect(parsePrimingEventId(SESSION, notAString)).toBeUndefined();
  }
});

test('a stream id must be a non-empty string', () => {
  for (const bad of ['', undefined, 7]) {
    let error: unknown;
    try {
      primingEventId(SESSION, bad as string);
    } catch (err) {
      error = err;
    }
    expect(isSessionStoreError(error, 'INVALID_ARGUMENT')).toBe(true);
  }
});
