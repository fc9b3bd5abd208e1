#!/usr/bin/env node
import { createPrismaClient } from '@portcullis/db';
import { ConfigError, loadConfig, longestAccessTokenLifetime } from '../config.js';
import { rotateSigningKey } from '../keys/signing-key-ring.js';

/**
 * `rotate-signing-key [--activate-in SECONDS]`: adds a new signing key, published in JWKS at once and
 * signing after KEY_ACTIVATION_DELAY_SECONDS (or the given delay). Running servers pick it up within
 * KEY_RELOAD_INTERVAL_SECONDS; the old key stays published until its last token has expired.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const flag = process.argv.indexOf('--activate-in');
  const delay = flag === -1 ? config.keyActivationDelaySeconds : Number(process.argv[flag + 1]);
  if (!Number.isInteger(delay) || delay < 0) {
    console.error('usage: rotate-signing-key [--activate-in SECONDS]');
    process.exit(2);
  }
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  try {
    const { kid, activatesAt } = await rotateSigningKey(prisma, {
      keyEncryptionKey: config.keyEncryptionKey,
      signingAlg: config.signingAlg,
      longestTokenLifetimeSeconds: longestAccessTokenLifetime(config),
      activationDelaySeconds: delay,
    });
    console.info(JSON.stringify({ kid, publishedNow: true, signsFrom: activatesAt.toISOString() }));
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(1);
});
