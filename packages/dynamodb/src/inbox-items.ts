import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { padSeq } from './event-id.js';

type Item = Record<string, AttributeValue>;

/** Bytes of payload per inbox item: a 1 MiB payload travels as four items under the 400 KB limit. */
export const CHUNK_BYTES = 300 * 1024;

/** One published message as this subscriber's inbox holds it, possibly still missing chunks. */
export interface InboxMessage {
  publisher: string;
  seq: number;
  channel: string;
  chunkCount: number;
  chunks: Map<number, Uint8Array>;
  keys: Item[];
}

/**
 * The inbox items of one message for one subscriber. The sort key `<publisher>#<seq>#<chunk>`
 * keeps each publisher's messages in order and a message's chunks together; the payload is raw
 * UTF-8 bytes (binary attribute), so a chunk boundary may cut a character without harm.
 */
export function inboxItems(
  pk: string,
  publisher: string,
  seq: number,
  channel: string,
  payload: Buffer,
  ttl: number,
): Item[] {
  const count = Math.max(1, Math.ceil(payload.length / CHUNK_BYTES));
  const items: Item[] = [];
  for (let i = 0; i < count; i++) {
    items.push({
      pk: { S: pk },
      sk: { S: `${publisher}#${padSeq(seq, 12)}#${padSeq(i, 4)}` },
      kind: { S: 'inbox' },
      ch: { S: channel },
      n: { N: String(count) },
      d: { B: payload.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES) },
      ttl: { N: String(ttl) },
    });
  }
  return items;
}

/** Groups inbox items (in sort-key order) into messages, by publisher, each in sequence order. */
export function groupInbox(items: Item[]): Map<string, InboxMessage[]> {
  const byPublisher = new Map<string, InboxMessage[]>();
  for (const item of items) {
    const parts = (item.sk?.S ?? '').split('#');
    if (parts.length !== 3) continue;
    const [publisher, seqText, chunkText] = parts as [string, string, string];
    const seq = Number(seqText);
    const list = byPublisher.get(publisher) ?? [];
    byPublisher.set(publisher, list);
    let message = list.at(-1);
    if (message?.seq !== seq) {
      message = {
        publisher,
        seq,
        channel: item.ch?.S ?? '',
        chunkCount: Number(item.n?.N ?? 1),
        chunks: new Map(),
        keys: [],
      };
      list.push(message);
    }
    message.chunks.set(Number(chunkText), item.d?.B ?? new Uint8Array());
    message.keys.push({ pk: item.pk!, sk: item.sk! });
  }
  return byPublisher;
}

/** The payload text of a complete message. */
export function assemble(message: InboxMessage): string {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < message.chunkCount; i++) parts.push(message.chunks.get(i)!);
  return Buffer.concat(parts).toString('utf8');
}

/** True when every chunk of the message has arrived. */
export function isComplete(message: InboxMessage): boolean {
  for (let i = 0; i < message.chunkCount; i++) if (!message.chunks.has(i)) return false;
  return true;
}
