import { randomBytes } from 'node:crypto';
import { type PrismaClient, upsertClient, upsertRole, upsertUser } from '@portcullis/db';
import { ADMIN_PERMISSIONS } from '../admin/admin-permissions.js';
import { ACCOUNT_SCOPE, ADMIN_SCOPE } from '../config.js';
import { generateClientSecret, hashClientSecret } from '../credentials/client-secret.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';

export const demoScopes = ['items:read', 'items:write', 'items:delete'];

export interface DemoCredentials {
  users: { username: string; password: string; roles: string[] }[];
  clients: {
    clientId: string;
    clientSecret: string;
    grantTypes: string[];
    scopes: string[];
    /** May call RFC 7662 introspection. */
    introspection: boolean;
  }[];
}

const roles = [
  {
    name: 'admin',
    description: 'Everything: items (including those owned by others) and the whole admin API',
    permissions: [
      'items:read',
      'items:write',
      'items:delete',
      'items:write:any',
      'items:delete:any',
      ...ADMIN_PERMISSIONS,
    ],
  },
  { name: 'editor', description: 'Read and write items', permissions: ['items:read', 'items:write'] },
  { name: 'viewer', description: 'Read items', permissions: ['items:read'] },
];

const users = [
  { username: 'alice', roles: ['admin'] },
  { username: 'bob', roles: ['editor'] },
  { username: 'carol', roles: ['viewer'] },
];

/** Random per installation: a demo that ships known passwords is a demo that ships a backdoor. */
function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Demo roles, permissions, users and four clients — a first-party web app (password + refresh_token), a
 * service (client_credentials), an admin client for the CLI (client_credentials, scope admin) and a resource
 * server's client allowed to introspect tokens — with fresh random credentials, returned once for the caller
 * to show.
 */
export async function seedDemoData(
  prisma: PrismaClient,
  hasher: PasswordHasher,
  clientSecretPepper: Buffer,
): Promise<DemoCredentials> {
  for (const role of roles) await upsertRole(prisma, role);

  const credentials: DemoCredentials = { users: [], clients: [] };
  for (const user of users) {
    const password = generatePassword();
    await upsertUser(prisma, {
      username: user.username,
      passwordHash: await hasher.hash(password),
      roles: user.roles,
    });
    credentials.users.push({ username: user.username, password, roles: user.roles });
  }

  const clients = [
    {
      id: 'demo-web',
      name: 'Demo web app (first party)',
      grantTypes: ['password', 'refresh_token'],
      // `account`: its users may change their own password (POST /account/password).
      scopes: [...demoScopes, ACCOUNT_SCOPE],
      firstParty: true,
    },
    {
      id: 'demo-service',
      name: 'Demo back-end service',
      grantTypes: ['client_credentials'],
      scopes: ['items:read', 'items:write'],
      roles: ['editor'],
    },
    {
      // What `portcullis login` uses: the admin API's permissions come from the admin role.
      id: 'demo-admin',
      name: 'Demo admin automation (the portcullis CLI)',
      grantTypes: ['client_credentials'],
      scopes: [ADMIN_SCOPE],
      roles: ['admin'],
    },
    {
      // A resource server that asks RFC 7662 introspection about tokens it is shown. It needs no tokens of
      // its own; client_credentials without scopes is the least the admin API accepts for a client.
      id: 'demo-resource-server',
      name: 'Demo resource server (token introspection)',
      grantTypes: ['client_credentials'],
      scopes: [],
      introspection: true,
    },
  ];
  for (const client of clients) {
    const secret = generateClientSecret();
    await upsertClient(prisma, { ...client, secretHash: hashClientSecret(secret, clientSecretPepper) });
    credentials.clients.push({
      clientId: client.id,
      clientSecret: secret,
      grantTypes: client.grantTypes,
      scopes: client.scopes,
      introspection: client.introspection ?? false,
    });
  }
  return credentials;
}
