import { AuthError } from '../cli-errors.js';
import type { ConnectionSettings } from '../config/connection-settings.js';
import type { Session, SessionStore } from '../config/session-store.js';
import { obtainAdminToken } from './obtain-admin-token.js';
import type { TransportPolicy } from './transport-policy.js';

export interface AdminCredentials {
  adminUrl: string;
  clientId: string | undefined;
  accessToken: string;
  /** Where the token came from, for whoami. */
  source: 'session' | 'client secret';
}

/** The admin URL and a bearer token for it, renewable when the environment holds the client secret. */
export interface AdminAccess {
  current(): Promise<AdminCredentials>;
  /** After a 401 with a cached token: a fresh one when possible, else null (the caller gives up). */
  renew(): Promise<AdminCredentials | null>;
}

/** A token this close to expiry is renewed first: it could expire in flight or on a skewed clock. */
const EXPIRY_MARGIN_MS = 30_000;

const LOGIN_HINT = '  run `portcullis login`, or set PORTCULLIS_CLIENT_SECRET to get tokens automatically';

/**
 * The cached session token while it is valid; otherwise a new one when the environment has the client's
 * secret (saved back into a session for the same admin URL and client, and only from the issuer and token
 * endpoint that session was logged in with); otherwise a clear "log in" error.
 */
export function createAdminAccess(
  settings: ConnectionSettings,
  store: SessionStore,
  clock: { now(): Date },
  transport: TransportPolicy,
): AdminAccess {
  let target: Promise<Target> | undefined;
  let current: AdminCredentials | undefined;

  const fetchToken = async ({ adminUrl, clientId, session }: Target): Promise<AdminCredentials | null> => {
    if (clientId === undefined || settings.clientSecret === undefined) return null;
    const issued = await obtainAdminToken(
      adminUrl,
      { clientId, clientSecret: settings.clientSecret },
      {
        issuerUrl: settings.issuerUrl,
        timeoutMs: settings.timeoutMs,
        now: clock.now(),
        transport,
        pinned: session ? { issuer: session.issuer, tokenEndpoint: session.tokenEndpoint } : undefined,
      },
    );
    if (session) {
      await store.save({
        ...session,
        accessToken: issued.accessToken,
        expiresAt: issued.expiresAt.toISOString(),
      });
    }
    return { adminUrl, clientId, accessToken: issued.accessToken, source: 'client secret' };
  };

  return {
    async current() {
      if (current) return current;
      target ??= resolveTarget(settings, store);
      const resolved = await target;
      const { adminUrl, clientId, session } = resolved;
      if (session && Date.parse(session.expiresAt) - EXPIRY_MARGIN_MS > clock.now().getTime()) {
        current = { adminUrl, clientId, accessToken: session.accessToken, source: 'session' };
        return current;
      }
      const fresh = await fetchToken(resolved);
      if (fresh) {
        current = fresh;
        return fresh;
      }
      if (session)
        throw new AuthError(`the session for ${adminUrl} expired at ${session.expiresAt}`, [LOGIN_HINT]);
      throw new AuthError(`not logged in to ${adminUrl}${clientId ? ` as ${clientId}` : ''}`, [LOGIN_HINT]);
    },
    async renew() {
      // Renewing a token just obtained with the secret would only repeat the refusal.
      if (current?.source !== 'session' || !target) return null;
      const fresh = await fetchToken(await target);
      if (fresh) current = fresh;
      return fresh;
    },
  };
}

interface Target {
  adminUrl: string;
  clientId: string | undefined;
  /** The stored session, when it is for this admin URL and client. */
  session: Session | null;
}

async function resolveTarget(settings: ConnectionSettings, store: SessionStore): Promise<Target> {
  const stored = await store.load();
  const adminUrl = settings.adminUrl ?? stored?.adminUrl;
  if (!adminUrl) {
    throw new AuthError('not logged in', [
      '  run `portcullis login --admin-url URL --client-id ID`,',
      '  or set PORTCULLIS_ADMIN_URL, PORTCULLIS_CLIENT_ID and PORTCULLIS_CLIENT_SECRET',
    ]);
  }
  const clientId = settings.clientId ?? (stored?.adminUrl === adminUrl ? stored.clientId : undefined);
  const session = stored && stored.adminUrl === adminUrl && stored.clientId === clientId ? stored : null;
  return { adminUrl, clientId, session };
}
