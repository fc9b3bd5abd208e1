import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/** PEM certificate chain and private key for a listener that serves https itself. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** Where the PEM files are, as configured (TLS_CERT_FILE, TLS_KEY_FILE). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/**
 * Reads and checks the certificate and key before anything listens, so a wrong path, an unreadable file or
 * a key that does not belong to the certificate stops the start with one line naming the variable, rather
 * than failing on the first handshake.
 *
 * @example
 * const tls = config.tls && readTlsCredentials(config.tls); // throws TlsCredentialsError
 */
export function readTlsCredentials(files: TlsFiles): TlsCredentials {
  const cert = readPem('TLS_CERT_FILE', files.certFile);
  const key = readPem('TLS_KEY_FILE', files.keyFile);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new TlsCredentialsError(
      `TLS_CERT_FILE, TLS_KEY_FILE: not a usable certificate and matching private key (${(error as Error).message})`,
    );
  }
  return { cert, key };
}

export class TlsCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsCredentialsError';
  }
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsCredentialsError(
      `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}
