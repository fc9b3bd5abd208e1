import type { CommandContext } from './args/command-context.js';
import type { CommandEntry } from './args/command-spec.js';
import { commandPath, parseCommandLine } from './args/parse-command-line.js';
import { renderHelp } from './args/render-help.js';
import { createAdminAccess } from './auth/admin-access.js';
import { createTransportPolicy } from './auth/transport-policy.js';
import { CliError, EXIT, UsageError } from './cli-errors.js';
import { readConnectionSettings } from './config/connection-settings.js';
import { createSessionStore, sessionDirectory } from './config/session-store.js';
import { createAdminApi } from './http/admin-api.js';
import { type Terminal, writeLine } from './io/terminal.js';
import { createOutput } from './output/output.js';

/**
 * Parses the line, runs one command and returns the exit code. Every failure ends here as one message on
 * stderr (plus detail lines) and its exit code — never a stack trace, which would leak internals and bury
 * the one line the operator needs.
 */
export async function runCli(argv: readonly string[], terminal: Terminal, commands: readonly CommandEntry[]) {
  const fail = (line: string) => writeLine(terminal.stderr, `portcullis: ${line}`);
  try {
    const parsed = parseCommandLine(argv, commands);
    if (parsed.kind === 'help') {
      writeLine(terminal.stdout, renderHelp(parsed.entry, parsed.group, commands));
      return EXIT.ok;
    }
    const { command, group, options, args } = parsed;
    const output = createOutput(options.flag('json'), terminal.stdout, terminal.stderr);
    const warn = (line: string) => output.note(line);
    try {
      const settings = readConnectionSettings(options, terminal.env);
      const sessions = createSessionStore(sessionDirectory(terminal.env), warn);
      const transport = createTransportPolicy(settings.insecureHttp, warn);
      const access = createAdminAccess(settings, sessions, terminal, transport);
      const context: CommandContext = {
        arg: (index) => args[index] ?? '',
        argsFrom: (index) => args.slice(index),
        options,
        terminal,
        output,
        settings,
        sessions,
        transport,
        access,
        api: createAdminApi(access, settings.timeoutMs, transport),
      };
      await command.run(context);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof UsageError && error.helpFor === undefined) {
        throw new UsageError(error.message, commandPath(group, command));
      }
      throw error;
    }
  } catch (error) {
    if (error instanceof CliError) {
      fail(error.message);
      for (const line of error.lines) writeLine(terminal.stderr, line);
      if (error instanceof UsageError) {
        writeLine(
          terminal.stderr,
          `Run \`portcullis ${error.helpFor ? `${error.helpFor} ` : ''}--help\` for usage.`,
        );
      }
      return error.exitCode;
    }
    // A bug, or a failure of the machine (disk full writing the session): the message, not the stack.
    fail(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.apiError;
  }
}
