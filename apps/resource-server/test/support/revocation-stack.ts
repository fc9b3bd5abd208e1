import { ADMIN_PERMISSIONS } from '../../../auth-server/src/admin/admin-permissions.js';
import { adminRequest, adminTokenWith } from '../../../auth-server/test/support/admin-tokens.js';
import { startTestStack, type TestStack } from './test-stack.js';

/**
 * An auth server and a resource server sharing one Redis key prefix: revocations go in through the admin
 * API and come out as 401s from the resource server.
 */
export interface RevocationStack extends TestStack {
  /** A token for the admin API with every admin permission, signed by the current key. */
  adminToken(): Promise<string>;
  /** POST /revocations on the admin listener; throws unless it answers 201. */
  revoke(body: { kind: string; value: string }, admin?: string): Promise<{ kind: string; value: string }>;
  /** The status of GET /me with this token. */
  statusOf(token: string): Promise<number>;
  /** Polls GET /me until it answers `status` (bounded); every answer seen must be in `allowed`. */
  waitForStatus(
    token: string,
    status: number,
    options?: { timeoutMs?: number; allowed?: number[] },
  ): Promise<void>;
}

export async function startRevocationStack(
  redis: { url: string; keyPrefix: string },
  apiEnv: Record<string, string> = {},
): Promise<RevocationStack> {
  const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix };
  // The kid test rotates keys: the resource server must be allowed to fetch a new kid within a second.
  const stack = await startTestStack(shared, {
    ...shared,
    JWKS_UNKNOWN_KID_COOLDOWN_SECONDS: '1',
    ...apiEnv,
  });
  let admin: string | undefined;
  const adminToken = async () => {
    admin = await adminTokenWith(stack.auth, [...ADMIN_PERMISSIONS]);
    return admin;
  };
  const statusOf = async (token: string) => {
    const response = await stack.api.request('/me', { token });
    await response.arrayBuffer();
    return response.status;
  };
  return {
    ...stack,
    adminToken,
    async revoke(body, token) {
      const response = await adminRequest(
        stack.auth,
        '/revocations',
        token ?? admin ?? (await adminToken()),
        {
          method: 'POST',
          body,
        },
      );
      if (response.status !== 201) {
        throw new Error(`revocation refused (${response.status}): ${await response.text()}`);
      }
      return (await response.json()) as { kind: string; value: string };
    },
    statusOf,
    async waitForStatus(token, status, { timeoutMs = 5000, allowed } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = await statusOf(token);
        if (allowed && !allowed.includes(seen)) {
          throw new Error(`GET /me answered ${seen} while waiting for ${status} (allowed: ${allowed})`);
        }
        if (seen === status) return;
        if (Date.now() > deadline)
          throw new Error(`GET /me still ${seen}, not ${status}, after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
