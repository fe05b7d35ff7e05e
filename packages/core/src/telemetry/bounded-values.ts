/**
 * Metric attribute values that come from clients (a method name, a tool name, a protocol version)
 * are bounded: each metric attribute value is a time series in the backend, and a client sending
 * a new method name with every request must not create a series per request. The first `max`
 * distinct values are kept as they are; anything after, or anything that does not look like a
 * name, is `_OTHER` (the conventions' value for "not a known one"). Spans keep the real value.
 */
export class BoundedValues {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly shape: RegExp = /^[\x21-\x7e]{1,128}$/,
  ) {}

  /** `value` itself if it is (or may become) one of the kept values, else `_OTHER`. */
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max || !this.shape.test(value)) return '_OTHER';
    this.seen.add(value);
    return value;
  }
}
