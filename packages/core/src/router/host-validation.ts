// DNS-rebinding protection: a browser tricked into sending requests to a loopback server still sends
// the attacker's host name in `Host`, so refusing unknown host names stops it.

/** The host name of a `Host` header value (`[::1]:3000` -> `[::1]`), lower-cased; null if unusable. */
export function hostNameOf(host: string | null): string | null {
  if (!host) return null;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Compiles `allowedHosts` into a predicate on requests (undefined: every host is accepted). */
export function hostValidator(
  allowedHosts: readonly string[] | undefined,
): ((request: Request) => boolean) | undefined {
  if (allowedHosts === undefined) return undefined;
  const allowed = new Set(allowedHosts.map((h) => hostNameOf(h)).filter((h): h is string => h !== null));
  return (request) => {
    const name = hostNameOf(request.headers.get('host') ?? new URL(request.url).host);
    return name !== null && allowed.has(name);
  };
}
