/**
 * Exit codes, one per kind of failure, so scripts can tell "the API said no" from "not logged in" from "the
 * server is down" without parsing messages.
 */
export const EXIT = {
  ok: 0,
  /** The admin API answered with an error (validation, not found, conflict, forbidden). */
  apiError: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** No session, expired session, refused credentials, missing configuration. */
  auth: 3,
  /** No answer: connection refused, DNS failure, timeout. */
  connection: 4,
  /** Interrupted at a prompt (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

/** A failure the CLI reports in one line (plus optional detail lines) and maps to an exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  /** Further lines printed under the message, e.g. one per invalid field. */
  readonly lines: readonly string[];
  constructor(message: string, exitCode: number, lines: readonly string[] = []) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.lines = lines;
  }
}

export class UsageError extends CliError {
  /** The command whose --help to suggest (`users create`), when known. */
  readonly helpFor: string | undefined;
  constructor(message: string, helpFor?: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
    this.helpFor = helpFor;
  }
}

export class AuthError extends CliError {
  constructor(message: string, lines: readonly string[] = []) {
    super(message, EXIT.auth, lines);
    this.name = 'AuthError';
  }
}

export class ConnectionError extends CliError {
  constructor(message: string) {
    super(message, EXIT.connection);
    this.name = 'ConnectionError';
  }
}

export class ApiError extends CliError {
  readonly status: number;
  constructor(status: number, message: string, lines: readonly string[] = []) {
    super(message, EXIT.apiError, lines);
    this.name = 'ApiError';
    this.status = status;
  }
}
