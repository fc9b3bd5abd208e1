import { formatCell } from './format-cell.js';

/** A column: its header and how to read the cell from a row. */
export interface Column<Row> {
  header: string;
  value(row: Row): unknown;
}

/** Left-aligned columns two spaces apart, upper-case headers, no trailing spaces. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = [
    columns.map((column) => column.header.toUpperCase()),
    ...rows.map((row) => columns.map((column) => formatCell(column.value(row)))),
  ];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One record as `label  value` lines. */
export function renderDetails(fields: readonly [label: string, value: unknown][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${formatCell(value)}`).join('\n');
}
