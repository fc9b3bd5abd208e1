import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../cli-errors.js';
import type { CommandEntry, CommandGroup, CommandSpec, OptionSpecs } from './command-spec.js';
import { GLOBAL_OPTIONS, GLOBAL_OPTIONS_WITH_VALUE } from './global-options.js';
import { ParsedOptions } from './parsed-options.js';

export type ParsedCommandLine =
  /** `--help` (or nothing runnable named): show help for this entry, or the overview when null. */
  | { kind: 'help'; entry: CommandEntry | null; group: CommandGroup | null }
  | { kind: 'run'; command: CommandSpec; group: CommandGroup | null; args: string[]; options: ParsedOptions };

/**
 * Finds the command words (`users create`) wherever global options sit around them, then parses the rest
 * strictly with that command's options: an unknown option or a missing argument is a usage error.
 */
export function parseCommandLine(
  argv: readonly string[],
  entries: readonly CommandEntry[],
): ParsedCommandLine {
  const words = commandWordPositions(argv);
  const wantsHelp = argv.some(
    (token, index) => (token === '--help' || token === '-h') && !isAfterDashDash(argv, index),
  );
  const first = words[0];
  if (first === undefined) {
    if (wantsHelp) return { kind: 'help', entry: null, group: null };
    throw new UsageError('no command given');
  }
  const top = entries.find((entry) => entry.name === argv[first]);
  if (!top) throw new UsageError(`unknown command "${argv[first]}"`);

  let command: CommandSpec;
  let group: CommandGroup | null = null;
  const used = [first];
  if (top.kind === 'group') {
    group = top;
    const second = words[1];
    if (second === undefined) {
      if (wantsHelp) return { kind: 'help', entry: top, group: null };
      throw new UsageError(`"${top.name}" needs a command`, top.name);
    }
    const sub = top.commands.find((candidate) => candidate.name === argv[second]);
    if (!sub) throw new UsageError(`unknown command "${top.name} ${argv[second]}"`, top.name);
    command = sub;
    used.push(second);
  } else {
    command = top;
  }
  if (wantsHelp) return { kind: 'help', entry: command, group };

  const rest = argv.filter((_, index) => !used.includes(index));
  try {
    const { values, positionals } = parseStrictly(rest, { ...GLOBAL_OPTIONS, ...command.options });
    checkArgumentCount(command, positionals);
    return { kind: 'run', command, group, args: positionals, options: new ParsedOptions(values) };
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message, commandPath(group, command));
    throw error;
  }
}

export function commandPath(group: CommandGroup | null, command: CommandSpec): string {
  return group ? `${group.name} ${command.name}` : command.name;
}

/** Indexes of the first two tokens that are neither options nor the value of a global option. */
function commandWordPositions(argv: readonly string[]): number[] {
  const positions: number[] = [];
  for (let index = 0; index < argv.length && positions.length < 2; index += 1) {
    const token = argv[index] ?? '';
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (GLOBAL_OPTIONS_WITH_VALUE.has(token)) index += 1;
      continue;
    }
    positions.push(index);
  }
  return positions;
}

function isAfterDashDash(argv: readonly string[], index: number): boolean {
  const dashDash = argv.indexOf('--');
  return dashDash !== -1 && dashDash < index;
}

function parseStrictly(args: string[], specs: OptionSpecs) {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true, allowNegative: true });
  } catch (error) {
    // parseArgs' messages name the option and say what is wrong; its codes are ERR_PARSE_ARGS_*.
    const { code, message } = error as { code?: string; message?: string };
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(usageMessage(code, String(message)));
    throw error;
  }
}

/**
 * parseArgs' first sentence, with its advice rewritten for this CLI: base64url kids, jtis and client ids often
 * start with `-`, and "Unknown option '-a'" alone does not tell the operator how to pass `-abc`.
 */
function usageMessage(code: string, message: string): string {
  const first = message.split(/\.\s/)[0]?.replace(/\.$/, '') ?? message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `${first}; put \`--\` before values that start with -, as in \`portcullis revoke jti -- -abc\``;
  }
  const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(first);
  if (ambiguous) return `${first}; for a value that starts with -, write ${ambiguous[1]}=-VALUE`;
  return first;
}

function checkArgumentCount(command: CommandSpec, positionals: string[]): void {
  const declared = (command.arguments ?? '').split(' ').filter((word) => word !== '');
  const required = declared.filter((word) => word.startsWith('<')).length;
  const variadic = declared.some((word) => word.endsWith('...'));
  if (positionals.length < required) {
    const missing = declared[positionals.length] ?? '';
    throw new UsageError(`missing argument ${missing.replace(/\.\.\.$/, '')}`);
  }
  if (!variadic && positionals.length > declared.length) {
    throw new UsageError(`unexpected argument "${positionals[declared.length]}"`);
  }
}
