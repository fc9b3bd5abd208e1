import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import type { KeyRing } from '../keys/signing-key-ring.js';

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ProviderHost {
  /** The node http handler; always delegates to the current provider. */
  handle: RequestHandler;
  current(): Provider;
  keyRing(): KeyRing;
  /** Re-reads the key ring; builds a new provider only when it changed. Resolves to whether it did. */
  reload(): Promise<boolean>;
}

/**
 * oidc-provider takes its keys at construction. Rotation (a key appears, takes over, or leaves JWKS) is
 * handled by building a new provider and swapping it in; requests in flight finish on the old one.
 */
export async function createProviderHost(
  loadKeyRing: () => Promise<KeyRing>,
  buildProvider: (keyRing: KeyRing) => Provider,
): Promise<ProviderHost> {
  let ring = await loadKeyRing();
  let provider = buildProvider(ring);
  let handler = provider.callback() as RequestHandler;

  return {
    handle: (req, res) => handler(req, res),
    current: () => provider,
    keyRing: () => ring,
    async reload() {
      const next = await loadKeyRing();
      if (next.fingerprint === ring.fingerprint) return false;
      const nextProvider = buildProvider(next);
      ring = next;
      provider = nextProvider;
      handler = provider.callback() as RequestHandler;
      return true;
    },
  };
}
