import { writeLine } from '../io/terminal.js';

/**
 * Where results go: human text on stdout, or with --json the API's JSON untouched (one document per
 * command) so scripts can pipe it to jq. Notes and warnings go to stderr and never mix with either.
 */
export interface Output {
  readonly json: boolean;
  /** --json: `raw` as JSON; otherwise the text `human()` renders. */
  result(raw: unknown, human: () => string): void;
  /** Human-only text (a confirmation); nothing in --json mode. */
  message(text: string): void;
  /** stderr, in both modes. */
  note(text: string): void;
}

export function createOutput(
  json: boolean,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Output {
  return {
    json,
    result(raw, human) {
      writeLine(stdout, json ? JSON.stringify(raw ?? null, null, 2) : human());
    },
    message(text) {
      if (!json) writeLine(stdout, text);
    },
    note(text) {
      writeLine(stderr, text);
    },
  };
}
