#!/usr/bin/env node
import { createPrismaClient, getClient, upsertClient } from '@portcullis/db';
import { ADMIN_PERMISSIONS } from '../admin/admin-permissions.js';
import { ADMIN_SCOPE, ConfigError, loadConfig } from '../config.js';
import { generateClientSecret, hashClientSecret } from '../credentials/client-secret.js';

const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `create-admin-client <client-id>`: the first admin of a fresh installation, where no admin API token can
 * exist yet (production has no demo seed). Creates a client_credentials client with the `admin` scope and
 * every admin permission, and prints its secret once on stdout, as JSON for scripts. Refuses an id that
 * exists: it never resets a secret or widens a client behind the admin API's back (that is the admin API's
 * job, audited and escalation-checked). Runs with the auth server's own environment, in any mode.
 */
async function main(): Promise<void> {
  const clientId = process.argv[2];
  if (!clientId || !CLIENT_ID.test(clientId)) {
    console.error('usage: create-admin-client <client-id>   (1-64 letters, digits or . _ -)');
    process.exit(2);
  }
  const config = loadConfig(process.env);
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  try {
    if (await getClient(prisma, clientId)) {
      throw new Error(`client ${clientId} exists already; manage it through the admin API`);
    }
    const secret = generateClientSecret();
    await upsertClient(prisma, {
      id: clientId,
      name: `${clientId} (admin, created by create-admin-client)`,
      secretHash: hashClientSecret(secret, config.clientSecretPepper),
      grantTypes: ['client_credentials'],
      scopes: [ADMIN_SCOPE],
      permissions: [...ADMIN_PERMISSIONS],
    });
    console.info(JSON.stringify({ clientId, clientSecret: secret }));
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(1);
});
