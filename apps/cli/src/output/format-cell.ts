/**
 * One value as table text: lists comma-joined, null/empty as `-`, booleans yes/no. Control characters are
 * dropped: these strings come from the server and must not be able to drive the operator's terminal.
 */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(formatCell).join(', ');
  if (typeof value === 'object') return clean(JSON.stringify(value));
  return clean(String(value));
}

function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
