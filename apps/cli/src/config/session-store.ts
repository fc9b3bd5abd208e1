import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AuthError } from '../cli-errors.js';

/**
 * What `portcullis login` remembers. The access token is a bearer credential for a few minutes; the client
 * secret is never stored (a stolen session file is worth one token lifetime, not a permanent identity). The
 * issuer and token endpoint seen at login pin where an automatic renewal may send the secret.
 */
export const sessionSchema = z.strictObject({
  version: z.literal(2),
  adminUrl: z.url(),
  clientId: z.string().min(1),
  issuer: z.string().min(1),
  tokenEndpoint: z.url(),
  accessToken: z.string().min(1),
  expiresAt: z.iso.datetime(),
});
export type Session = z.infer<typeof sessionSchema>;

export interface SessionStore {
  /** The file, for messages. */
  readonly path: string;
  load(): Promise<Session | null>;
  save(session: Session): Promise<void>;
  /** True when there was a session to remove. */
  remove(): Promise<boolean>;
}

/** `$PORTCULLIS_CONFIG_DIR/session.json`, else `$XDG_CONFIG_HOME/portcullis/`, else `~/.config/portcullis/`. */
export function sessionDirectory(env: Readonly<Record<string, string | undefined>>): string {
  if (env.PORTCULLIS_CONFIG_DIR) return env.PORTCULLIS_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'portcullis');
}

export function createSessionStore(directory: string, warn: (message: string) => void): SessionStore {
  const path = join(directory, 'session.json');
  return {
    path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
        // Like ssh with a private key: say so when others can read the token, but still work.
        if (((await stat(path)).mode & 0o077) !== 0) warn(`${path} is readable by other users; chmod 600 it`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new AuthError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const parsed = sessionSchema.safeParse(safeJson(text));
      if (!parsed.success) {
        throw new AuthError(`${path} is not a session this version understands: run \`portcullis login\``);
      }
      return parsed.data;
    },
    async save(session) {
      // Written under a temporary name with mode 0600 from creation, then renamed: the token is never
      // readable by others, and a crash never leaves half a file.
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await prepareDirectory(directory, warn);
        await writeFile(temporary, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
        await chmod(temporary, 0o600);
        await rename(temporary, path);
      } catch (error) {
        // A copy of the token must not stay behind under a name nothing will ever clean up.
        await rm(temporary, { force: true });
        throw new AuthError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    },
    async remove() {
      try {
        await stat(path);
      } catch {
        return false;
      }
      await rm(path, { force: true });
      return true;
    },
  };
}

/**
 * A directory this call creates is made 0700 explicitly (mkdir's mode is filtered by the umask). One that
 * already exists is never chmod-ed — it may be a directory the operator shares on purpose via
 * PORTCULLIS_CONFIG_DIR — but a warning says when others can list it or, worse, swap the session file.
 */
async function prepareDirectory(directory: string, warn: (message: string) => void): Promise<void> {
  const firstCreated = await mkdir(directory, { recursive: true, mode: 0o700 });
  if (firstCreated !== undefined) {
    await chmod(directory, 0o700);
    return;
  }
  if (((await stat(directory)).mode & 0o077) !== 0) {
    warn(`${directory} is open to other users (they could list or replace the session); chmod 700 it`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
