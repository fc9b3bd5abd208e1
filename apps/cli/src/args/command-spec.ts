import type { CommandContext } from './command-context.js';

/** One option of a command, in node:util parseArgs terms plus what help shows. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Repeatable (`--role a --role b`). */
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help for a string option, e.g. `URL`. */
  value?: string;
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** A runnable command: `portcullis users create`, or `portcullis login` at the top level. */
export interface CommandSpec {
  kind: 'command';
  name: string;
  summary: string;
  /**
   * Positional arguments for the usage line and their count check: `<x>` required, `[x]` optional, a trailing
   * `...` makes the last one repeatable. E.g. `<user> <role>...`.
   */
  arguments?: string;
  options?: OptionSpecs;
  /** Paragraphs shown by --help below the summary. */
  details?: string[];
  /** Examples shown by --help, without the leading `portcullis `. */
  examples?: string[];
  run(context: CommandContext): Promise<void>;
}

/** A noun with sub-commands: `portcullis users <command>`. */
export interface CommandGroup {
  kind: 'group';
  name: string;
  summary: string;
  commands: CommandSpec[];
}

export type CommandEntry = CommandSpec | CommandGroup;
