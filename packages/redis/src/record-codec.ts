import {
  decodeRecord,
  type NewSession,
  type SessionPatch,
  type SessionRecord,
  type SessionStoreError,
} from '@mcp-session-store/core';

/**
 * A record is a Redis hash, so scripts can change one part (times, version, one metadata key)
 * without parsing JSON in Lua (whose cjson cannot tell `[]` from `{}`):
 *
 * | field | holds |
 * | --- | --- |
 * | `p`, `pv`, `ci`, `cc`, `ll` | JSON of principal, protocolVersion, clientInfo, clientCapabilities, logLevel |
 * | `m:<key>` | one metadata entry as JSON text `"<key>":<value>` |
 * | `c`, `a`, `e`, `v` | createdAt, lastActivityAt, expiresAt (epoch ms), version |
 *
 * The record's JSON text is these values glued together, so its exact size is the sum of their
 * lengths plus a fixed frame: the scripts enforce the size limit with that sum, no JSON needed.
 */
export type RecordFields = Record<string, string>;

const META = 'm:';

/** The bytes of the record's JSON text that are not field values (see {@link frameBytes}). */
function frame(idJson: string): string {
  return `{"id":${idJson},"principal":,"protocolVersion":,"clientInfo":,"clientCapabilities":,"logLevel":,"metadata":{},"createdAt":,"lastActivityAt":,"expiresAt":,"version":}`;
}

/** Size of the JSON frame around the field values, for the scripts' size arithmetic. */
export function frameBytes(id: string): number {
  // Stryker disable next-line StringLiteral: Buffer.byteLength(text, '') counts UTF-8 too (equivalent)
  return Buffer.byteLength(frame(JSON.stringify(id)), 'utf8');
}

function metadataEntry(key: string, value: unknown): string {
  return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
}

/** The content fields `create` writes (the script adds the times and version). */
export function newSessionFields(session: NewSession): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['p', JSON.stringify(session.principal ?? null)],
    ['pv', JSON.stringify(session.protocolVersion)],
    ['ci', JSON.stringify(session.clientInfo)],
    ['cc', JSON.stringify(session.clientCapabilities ?? {})],
    ['ll', JSON.stringify(session.logLevel ?? null)],
  ];
  for (const [key, value] of Object.entries(session.metadata ?? {})) {
    fields.push([`${META}${key}`, metadataEntry(key, value)]);
  }
  return fields;
}

/** The fields a patch sets and the fields it removes. */
export function patchFields(patch: SessionPatch): { set: Array<[string, string]>; unset: string[] } {
  const set: Array<[string, string]> = [];
  if (patch.protocolVersion !== undefined) set.push(['pv', JSON.stringify(patch.protocolVersion)]);
  if (patch.clientInfo !== undefined) set.push(['ci', JSON.stringify(patch.clientInfo)]);
  if (patch.clientCapabilities !== undefined) set.push(['cc', JSON.stringify(patch.clientCapabilities)]);
  if (patch.logLevel !== undefined) set.push(['ll', JSON.stringify(patch.logLevel)]);
  for (const [key, value] of Object.entries(patch.metadata ?? {})) {
    set.push([`${META}${key}`, metadataEntry(key, value)]);
  }
  // Stryker disable next-line ArrayDeclaration: equivalent, unsetting a made-up `m:` field no metadata entry uses removes nothing
  return { set, unset: (patch.unsetMetadata ?? []).map((key) => `${META}${key}`) };
}

/** Flattens `[[field, value], ...]` into script arguments. */
export function flatten(pairs: Array<[string, string]>): string[] {
  return pairs.flat();
}

/** A flat `[field, value, ...]` reply as an object. */
export function fromFlat(flat: string[]): RecordFields {
  const fields: RecordFields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/**
 * The record a hash holds, or null if the hash is empty. A hash that does not make a valid record
 * is reported through `onError` (`CORRUPT_RECORD`) and reads as null.
 */
export function decodeFields(
  id: string,
  fields: RecordFields,
  onError: ((error: SessionStoreError) => void) | undefined,
): SessionRecord | null {
  if (Object.keys(fields).length === 0) return null;
  const metadata = Object.entries(fields)
    .filter(([field]) => field.startsWith(META))
    .map(([, entry]) => entry)
    .join(',');
  const text = `{"id":${JSON.stringify(id)},"principal":${fields.p},"protocolVersion":${fields.pv},"clientInfo":${fields.ci},"clientCapabilities":${fields.cc},"logLevel":${fields.ll},"metadata":{${metadata}},"createdAt":${fields.c},"lastActivityAt":${fields.a},"expiresAt":${fields.e},"version":${fields.v}}`;
  return decodeRecord(text, id, onError);
}
