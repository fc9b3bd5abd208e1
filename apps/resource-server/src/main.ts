#!/usr/bin/env node
import { limitPrismaWasmTiering } from '@portcullis/db';
import {
  createMetricsHandler,
  readTlsCredentials,
  serveHttp,
  TlsCredentialsError,
} from '@portcullis/service-kit';
import { ConfigError, loadConfig } from './config.js';
import { createContainer } from './container.js';
import { createLogger } from './logger.js';

/** Loads config, builds the container, listens, and shuts down cleanly (STYLE.md §1). */
async function main(): Promise<void> {
  limitPrismaWasmTiering();
  const config = loadConfig(process.env);
  const tls = config.tls && readTlsCredentials(config.tls);
  const logger = createLogger(config.logLevel);
  const container = await createContainer(config, logger);
  await serveHttp({
    listeners: [
      {
        name: 'resource-server',
        tls,
        handler: container.app.callback(),
        host: config.host,
        port: config.port,
        describe: { issuer: config.issuer, audience: config.audience },
      },
      ...(config.metrics.enabled
        ? [
            {
              name: 'metrics',
              handler: createMetricsHandler(container.metrics, { logger }),
              host: config.metrics.host,
              port: config.metrics.port,
            },
          ]
        : []),
    ],
    logger,
    close: () => container.close(),
  });
}

main().catch((error: unknown) => {
  // Config problems are the user's to fix: say what, without a stack trace.
  const message =
    error instanceof ConfigError || error instanceof TlsCredentialsError
      ? error.message
      : `resource-server failed to start: ${String(error)}`;
  console.error(message);
  process.exit(1);
});
