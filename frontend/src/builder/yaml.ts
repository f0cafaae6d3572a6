import { parseDocument, stringify } from 'yaml';

/** A spec as the YAML view shows it: block style, keys in the spec's order, no line folding. */
export function dumpSpecYaml(spec: unknown): string {
  return stringify(spec, { lineWidth: 0, aliasDuplicateObjects: false });
}

export type YamlResult = { ok: true; value: unknown } | { ok: false; message: string; line: number | null };

/**
 * The YAML view's text read as a spec document: JSON is YAML too. Only
 * plain data: no custom tags; the first error, with its line.
 */
export function parseSpecYaml(text: string): YamlResult {
  const document = parseDocument(text, { uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line ?? null;
    return { ok: false, message: firstLine(error.message), line };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 50 });
  } catch (caught) {
    return { ok: false, message: (caught as Error).message, line: null };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'A spec is a mapping of fields (name, dataset, prompts, ...).', line: null };
  }
  return { ok: true, value };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
