import type { CommandEntry } from '../args/command-spec.js';
import { apiKeysCommands } from './api-keys.js';
import { auditCommand } from './audit.js';
import { clientsCommands } from './clients.js';
import { keysCommands } from './keys.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { permissionsCommands } from './permissions.js';
import { revocationsCommands, revokeCommand } from './revocations.js';
import { rolesCommands } from './roles.js';
import { usersCommands } from './users.js';
import { whoamiCommand } from './whoami.js';

/** Every command, in the order the overview lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  loginCommand,
  logoutCommand,
  whoamiCommand,
  usersCommands,
  rolesCommands,
  permissionsCommands,
  clientsCommands,
  apiKeysCommands,
  revokeCommand,
  revocationsCommands,
  keysCommands,
  auditCommand,
];
