import { AuthError } from '../cli-errors.js';

/** Decides whether a URL may carry the client secret or an admin token. */
export interface TransportPolicy {
  /** Throws (exit 3) for plain http to a non-loopback host unless --insecure-http; `role` names it. */
  check(url: string, role: string): void;
}

/**
 * Plain http carries the client secret and bearer tokens readable (and rewritable: the metadata that says where
 * the secret goes) by anyone on the path, so it is refused outside loopback, which stays allowed for local
 * development. `--insecure-http` is the escape hatch for a network the operator trusts (TLS terminated by a
 * sidecar on the same host); it then warns once per origin instead.
 */
export function createTransportPolicy(
  allowInsecureHttp: boolean,
  warn: (line: string) => void,
): TransportPolicy {
  const warned = new Set<string>();
  return {
    check(url, role) {
      const { protocol, hostname, origin } = new URL(url);
      if (protocol === 'https:' || isLoopback(hostname)) return;
      if (!allowInsecureHttp) {
        throw new AuthError(`refusing plain http to ${role} at ${origin}`, [
          '  the client secret and admin tokens would cross the network unencrypted; use https',
          '  (--insecure-http allows it on a network you trust, e.g. TLS terminated on the same host)',
        ]);
      }
      if (warned.has(origin)) return;
      warned.add(origin);
      warn(`warning: ${origin} is plain http; credentials and tokens cross the network unencrypted`);
    },
  };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
