import type { CommandEntry, CommandGroup, CommandSpec, OptionSpecs } from './command-spec.js';
import { GLOBAL_OPTIONS } from './global-options.js';

const EXIT_CODES = [
  'Exit codes: 0 ok, 1 the API refused (problem printed on stderr), 2 usage error,',
  '3 not logged in / credentials refused / configuration missing, 4 cannot connect.',
];

/** The overview: every group and top-level command. */
export function renderOverview(entries: readonly CommandEntry[]): string {
  return [
    'portcullis — administer a Portcullis authorization server through its admin API',
    '',
    'Usage: portcullis <command> [arguments] [options]',
    '',
    'Commands:',
    ...columns(
      entries.map((entry) => [
        entry.kind === 'group' ? `${entry.name} <command>` : entry.name,
        entry.summary,
      ]),
    ),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Start with `portcullis login --admin-url URL --client-id ID`; see `portcullis <command> --help`.',
    ...EXIT_CODES,
  ].join('\n');
}

export function renderGroupHelp(group: CommandGroup): string {
  return [
    `portcullis ${group.name} — ${group.summary}`,
    '',
    `Usage: portcullis ${group.name} <command> [arguments] [options]`,
    '',
    'Commands:',
    ...columns(
      group.commands.map((command) => [`${command.name} ${command.arguments ?? ''}`.trim(), command.summary]),
    ),
    '',
    `Run \`portcullis ${group.name} <command> --help\` for a command's options.`,
  ].join('\n');
}

export function renderCommandHelp(command: CommandSpec, group: CommandGroup | null): string {
  const path = group ? `${group.name} ${command.name}` : command.name;
  const lines = [
    `portcullis ${path} — ${command.summary}`,
    '',
    ['Usage: portcullis', path, command.arguments, command.options ? '[options]' : undefined]
      .filter((part) => part !== undefined)
      .join(' '),
  ];
  for (const paragraph of command.details ?? []) lines.push('', paragraph);
  if (command.options) lines.push('', 'Options:', ...optionLines(command.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (command.examples?.length) {
    lines.push('', 'Examples:', ...command.examples.map((example) => `  portcullis ${example}`));
  }
  return lines.join('\n');
}

export function renderHelp(
  entry: CommandEntry | null,
  group: CommandGroup | null,
  entries: readonly CommandEntry[],
) {
  if (entry === null) return renderOverview(entries);
  return entry.kind === 'group' ? renderGroupHelp(entry) : renderCommandHelp(entry, group);
}

function optionLines(options: OptionSpecs): string[] {
  return columns(
    Object.entries(options).map(([name, spec]) => {
      const short = spec.short ? `-${spec.short}, ` : '';
      const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
      const repeat = spec.multiple ? ' (repeatable)' : '';
      return [`${short}--${name}${value}`, `${spec.description}${repeat}`];
    }),
  );
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
