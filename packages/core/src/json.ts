/** A JSON primitive. */
export type JsonPrimitive = string | number | boolean | null;

/** Any value that survives `JSON.stringify` then `JSON.parse` unchanged. */
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;

/** A JSON object: string keys, JSON values. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * True for a plain object (not null, not an array, not a class instance such as Date or Map).
 * Works across realms (vm contexts, jest), where `Object.prototype` differs.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A deep copy of a JSON value (validated JSON only: it drops what JSON cannot hold). */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Returns the path of the first value that is not plain JSON (undefined, a function, a symbol,
 * a bigint, NaN or Infinity, a Date or other class instance, a cycle), or `null` if `value` is JSON.
 */
export function findNonJson(value: unknown, path = '$', seen: Set<object> = new Set()): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : path;
    case 'object': {
      if (value === null) return null;
      if (seen.has(value)) return path;
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const bad = findNonJson(value[i], `${path}[${i}]`, seen);
            if (bad) return bad;
          }
          return null;
        }
        if (!isPlainObject(value)) return path;
        for (const [key, child] of Object.entries(value)) {
          const bad = findNonJson(child, `${path}.${key}`, seen);
          if (bad) return bad;
        }
        return null;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return path;
  }
}

/** UTF-8 byte length of the JSON text of `value`: the unit every size limit in this project uses. */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
