/** A JSON primitive. */
export type JsonPrimitive = string | number | boolean | null;
/** Any value that survives `JSON.stringify` then `JSON.parse` unchanged. */
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
/** A JSON object: string keys, JSON values. */
export interface JsonObject {
    [key: string]: JsonValue;
}
/** True for a plain object (not null, not an array, not a class instance such as Date or Map). */
export declare function isPlainObject(value: unknown): value is Record<string, unknown>;
/**
 * Returns the path of the first value that is not plain JSON (undefined, a function, a symbol,
 * a bigint, NaN or Infinity, a Date or other class instance, a cycle), or `null` if `value` is JSON.
 */
export declare function findNonJson(value: unknown, path?: string, seen?: Set<object>): string | null;
/** UTF-8 byte length of the JSON text of `value`: the unit every size limit in this project uses. */
export declare function jsonByteLength(value: unknown): number;
//# sourceMappingURL=json.d.ts.map