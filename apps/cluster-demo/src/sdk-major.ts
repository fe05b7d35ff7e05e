// Which major of the MCP TypeScript SDK the demo runs: 1 (`@modelcontextprotocol/sdk` 1.x) or 2
// (`@modelcontextprotocol/server` / `client` 2.x; `pnpm demo`'s default, see demo-options.ts). One parser for `--sdk` on every
// command and for the pods' DEMO_SDK, so they refuse the same values with the same message.

export const SDK_MAJORS = [1, 2] as const;
export type SdkMajor = (typeof SDK_MAJORS)[number];

/**
 * What `pnpm conformance`, `pnpm soak` and a pod without DEMO_SDK default to: the SDK line the
 * project started on. (`pnpm demo` defaults to 2: DEMO_DEFAULT_SDK.)
 */
export const DEFAULT_SDK: SdkMajor = 1;

/** Reads an SDK major; throws an Error naming `what` for anything but `1` or `2`. */
export function parseSdkMajor(raw: string | undefined, what = '--sdk'): SdkMajor {
  const major = SDK_MAJORS.find((m) => String(m) === raw);
  if (major === undefined) {
    throw new Error(`${what} takes ${SDK_MAJORS.join(' or ')} (the MCP SDK major), got '${raw ?? ''}'`);
  }
  return major;
}

/** How the demo's output names an SDK major. */
export const sdkLabel = (major: SdkMajor) =>
  major === 1 ? 'SDK 1.x (@modelcontextprotocol/sdk)' : 'SDK v2 (@modelcontextprotocol/server)';
