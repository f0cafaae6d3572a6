/** `text` pretty-printed when it is JSON, else as it is. */
export function prettyText(text: string): { text: string; json: boolean } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { text: JSON.stringify(JSON.parse(trimmed), null, 2), json: true };
    } catch {
      // Not JSON after all (a truncated answer, prose in brackets): shown as sent.
    }
  }
  return { text, json: false };
}

/** Any JSON value as indented text (a string as itself). */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value ?? null, null, 2);
}

/** Preformatted text that wraps inside the page rather than widening it. */
export function TextBlock({ text, label }: { text: string; label?: string }) {
  return (
    <pre
      aria-label={label}
      className="max-h-96 overflow-auto rounded border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap break-words text-zinc-800"
    >
      {text}
    </pre>
  );
}

/** A model's answer: JSON indented when it parses, text as it came otherwise. */
export function OutputBlock({ text, label }: { text: string | null; label: string }) {
  if (!text) return <p className="text-sm text-zinc-500">No output.</p>;
  const pretty = prettyText(text);
  return (
    <div>
      {pretty.json && <p className="mb-1 text-xs text-zinc-500">JSON, indented</p>}
      <TextBlock text={pretty.text} label={label} />
    </div>
  );
}
