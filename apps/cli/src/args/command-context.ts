import type { AdminAccess } from '../auth/admin-access.js';
import type { TransportPolicy } from '../auth/transport-policy.js';
import type { ConnectionSettings } from '../config/connection-settings.js';
import type { SessionStore } from '../config/session-store.js';
import type { AdminApi } from '../http/admin-api.js';
import type { Terminal } from '../io/terminal.js';
import type { Output } from '../output/output.js';
import type { ParsedOptions } from './parsed-options.js';

/** What a command's `run` gets: its parsed line and the CLI's services, the API authenticating lazily. */
export interface CommandContext {
  /** Positional argument `index`; the parser has checked that required ones are there. */
  arg(index: number): string;
  /** Positional arguments from `index` on (a repeatable last argument). */
  argsFrom(index: number): string[];
  options: ParsedOptions;
  terminal: Terminal;
  output: Output;
  settings: ConnectionSettings;
  sessions: SessionStore;
  /** Where credentials may travel (https, loopback, or --insecure-http). */
  transport: TransportPolicy;
  access: AdminAccess;
  api: AdminApi;
}
