#!/usr/bin/env node
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createPrismaClient } from '@portcullis/db';
import { ConfigError, loadConfig } from '../config.js';
import { createPasswordHasher } from '../credentials/password-hasher.js';
import { seedDemoData } from '../seed/demo-data.js';

/**
 * `seed-demo-data <credentials-file>`: when the file does not exist, creates (or resets) the demo roles,
 * users and clients with fresh credentials and writes those to the file (mode 0600); when it exists, does
 * nothing, so restarts keep the credentials. Touches only the demo records, by name. Development mode only.
 * Prints the file's path, never the secrets: `npm start` shows them from the file.
 */
async function main(): Promise<void> {
  const credentialsFile = process.argv[2];
  if (!credentialsFile) {
    console.error('usage: seed-demo-data <credentials-file>');
    process.exit(2);
  }
  const config = loadConfig(process.env);
  if (config.mode !== 'development') {
    throw new Error('demo data is for development only (PORTCULLIS_MODE=development)');
  }
  if (existsSync(credentialsFile)) return;
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  try {
    const credentials = await seedDemoData(
      prisma,
      await createPasswordHasher(config.argon2),
      config.clientSecretPepper,
    );
    writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    chmodSync(credentialsFile, 0o600);
    console.info(`demo data ready; fresh credentials in ${credentialsFile}`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(1);
});
