import { CliError, EXIT, UsageError } from '../cli-errors.js';
import type { Terminal } from './terminal.js';

/** Secrets are read in full but bounded: 64 KiB is far beyond any password or client secret. */
const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretSource {
  /** `--x-stdin` was given: read it from standard input. */
  fromStdin: boolean;
  /** What it is, for prompts and errors: `password`, `client secret`. */
  what: string;
  /** The flag that reads it from stdin, for the error when there is no terminal to prompt on. */
  stdinFlag: string;
  /** Ask twice when prompting (a new password). */
  confirm?: boolean;
}

/**
 * A secret from stdin (one line; the trailing newline is dropped) or a no-echo prompt on the terminal — never
 * from a flag value, which every user of the machine can read in `ps`.
 */
export async function readSecret(terminal: Terminal, source: SecretSource): Promise<string> {
  let secret: string;
  if (source.fromStdin) {
    secret = (await readStdin(terminal.stdin)).replace(/\r?\n$/, '');
  } else {
    if (!terminal.stdin.isTTY) {
      throw new UsageError(
        `no ${source.what}: pass ${source.stdinFlag} (or run in a terminal to be prompted)`,
      );
    }
    secret = await promptHidden(terminal, `${capitalize(source.what)}: `);
    if (source.confirm && (await promptHidden(terminal, `${capitalize(source.what)} again: `)) !== secret) {
      throw new UsageError(`the two ${source.what}s differ`);
    }
  }
  if (secret === '') throw new UsageError(`the ${source.what} is empty`);
  return secret;
}

export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_SECRET_BYTES) throw new UsageError('standard input is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Raw-mode line reading with nothing echoed; backspace edits, Ctrl-C cancels, Enter ends. */
function promptHidden(terminal: Terminal, prompt: string): Promise<string> {
  const { stdin, stderr } = terminal;
  stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (outcome: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr.write('\n');
      outcome();
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n' || character === '\u0004') {
          finish(() => resolve(value));
          return;
        }
        if (character === '\u0003') {
          finish(() => reject(new CliError('cancelled', EXIT.interrupted)));
          return;
        }
        if (character === '\u007f' || character === '\b') value = value.slice(0, -1);
        else value += character;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
