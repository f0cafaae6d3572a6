import type { LocalError } from './form';

/** RFC 4180 rows: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

function jsonOrText(cell: string): unknown {
  try {
    return JSON.parse(cell);
  } catch {
    return cell;
  }
}

/**
 * Items from CSV with a header, as the dataset import reads it (README,
 * "Datasets"): columns are input keys, `expected` (JSON if it parses) or
 * `expected.<key>` columns the expected output, `tags` comma-separated.
 */
export function itemsFromCsv(text: string): unknown[] | LocalError {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { path: 'dataset.items', message: 'the CSV has no header row' };
  const items: unknown[] = [];
  for (const [index, row] of rows.entries()) {
    if (row.length !== header.length) {
      return {
        path: 'dataset.items',
        message: `CSV row ${index + 2} has ${row.length} cells, the header ${header.length}`,
      };
    }
    const input: Record<string, unknown> = {};
    const item: Record<string, unknown> = { input };
    header.forEach((column, i) => {
      const cell = row[i] ?? '';
      if (column === 'expected') {
        item.expected = jsonOrText(cell);
      } else if (column.startsWith('expected.')) {
        const expected = (item.expected ?? {}) as Record<string, unknown>;
        expected[column.slice('expected.'.length)] = jsonOrText(cell);
        item.expected = expected;
      } else if (column === 'tags') {
        item.tags = cell.split(',').map((t) => t.trim()).filter(Boolean);
      } else {
        input[column] = cell;
      }
    });
    items.push(item);
  }
  return items;
}
