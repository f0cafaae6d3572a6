import { parse, stringify } from 'yaml';

/**
 * Values as one-line text fields show them. A param value is typed as YAML
 * (`0.7` is a number, `json_object` a string, `{type: json_object}` an
 * object); a string that would read back as something else is shown quoted,
 * so that text -> value -> text gives back what was typed.
 */
export function valueToText(value: unknown): string {
  if (typeof value === 'string' && readsBackAs(value, value)) return value;
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

/** What a value field's text stands for; text that is not YAML is a string as typed. */
export function textToValue(text: string): unknown {
  try {
    const value: unknown = parse(text, { logLevel: 'error' });
    return value === undefined ? null : value;
  } catch {
    return text;
  }
}

function readsBackAs(text: string, value: unknown): boolean {
  if (text.trim() !== text || text === '') return false;
  try {
    return parse(text, { logLevel: 'error' }) === value;
  } catch {
    return false;
  }
}

/**
 * A number field's text: blank is "not set", digits are a number; anything
 * else goes to the server as typed, which names the field in its error.
 */
export function numberFromText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}

export function textFromNumber(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return valueToText(value);
}
