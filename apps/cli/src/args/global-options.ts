import type { OptionSpecs } from './command-spec.js';

/** Options every command accepts, anywhere on the line. */
export const GLOBAL_OPTIONS = {
  'admin-url': {
    type: 'string',
    value: 'URL',
    description: 'admin API base URL (env PORTCULLIS_ADMIN_URL; default: the session)',
  },
  'client-id': {
    type: 'string',
    value: 'ID',
    description: 'admin client id (env PORTCULLIS_CLIENT_ID; default: the session)',
  },
  'issuer-url': {
    type: 'string',
    value: 'URL',
    description: 'reach the issuer here instead of at its advertised URL (env PORTCULLIS_ISSUER_URL)',
  },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    description: 'give up on a request after this long (default 10)',
  },
  'insecure-http': {
    type: 'boolean',
    description: 'allow plain http beyond loopback (the secret and tokens then travel readable)',
  },
  json: { type: 'boolean', description: 'print the API answer as JSON, for scripts' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
} as const satisfies OptionSpecs;

/** Global options that take a value: the command finder must skip that value. */
export const GLOBAL_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, spec]) => spec.type === 'string')
    .map(([name]) => `--${name}`),
);
