/**
 * A client secret or admin token over plain http is readable by anyone on the path. Loopback is fine (local
 * development); anything else gets a warning rather than a refusal, since some clusters terminate TLS in a
 * sidecar the CLI cannot see.
 */
export function cleartextWarning(url: string): string | null {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:' || isLoopback(hostname)) return null;
  return `warning: ${new URL(url).origin} is plain http; credentials and tokens cross the network unencrypted`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
