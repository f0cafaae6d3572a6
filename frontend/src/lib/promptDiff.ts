import { diffLines, diffWordsWithSpace } from 'diff';

/** A piece of a line: unchanged, or changed on its side (removed in A, added in B). */
export interface Segment {
  text: string;
  changed: boolean;
}

/** One row of a side-by-side diff: A's line and B's line (null where that side has none). */
export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  a: Segment[] | null;
  b: Segment[] | null;
}

interface MessageLike {
  role: string;
  content: string;
}

/** A version's messages as text, as the API's unified diff reads them: "[role]" then the content. */
export function messagesText(messages: MessageLike[]): string {
  return messages.map((m) => `[${m.role}]\n${m.content}`).join('\n');
}

function lines(value: string): string[] {
  const out = value.split('\n');
  if (out[out.length - 1] === '') out.pop(); // diffLines keeps each line's newline
  return out;
}

/** A changed line's words: what A lost and what B gained, highlighted on each side. */
function wordPair(a: string, b: string): { a: Segment[]; b: Segment[] } {
  const left: Segment[] = [];
  const right: Segment[] = [];
  for (const part of diffWordsWithSpace(a, b)) {
    if (!part.added) left.push({ text: part.value, changed: part.removed });
    if (!part.removed) right.push({ text: part.value, changed: part.added });
  }
  return { a: left, b: right };
}

/**
 * Line-level alignment (jsdiff), then word-level highlighting inside each
 * line replaced: a run of removed lines followed by added ones is paired
 * line by line, the extra lines of the longer run standing alone.
 */
export function sideBySide(a: string, b: string): DiffRow[] {
  const rows: DiffRow[] = [];
  // Each line ends in a newline, the last too: "c" and "c\n" are the same line.
  const parts = diffLines(`${a}\n`, `${b}\n`);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.added && !part.removed) {
      for (const line of lines(part.value)) {
        rows.push({ kind: 'same', a: [{ text: line, changed: false }], b: [{ text: line, changed: false }] });
      }
      continue;
    }
    const removed = part.removed ? lines(part.value) : [];
    const next = parts[i + 1];
    let added: string[] = [];
    if (part.added) added = lines(part.value);
    else if (next?.added) {
      added = lines(next.value);
      i++;
    }
    const paired = Math.min(removed.length, added.length);
    for (let k = 0; k < paired; k++) {
      rows.push({ kind: 'changed', ...wordPair(removed[k]!, added[k]!) });
    }
    for (const line of removed.slice(paired)) {
      rows.push({ kind: 'removed', a: [{ text: line, changed: true }], b: null });
    }
    for (const line of added.slice(paired)) {
      rows.push({ kind: 'added', a: null, b: [{ text: line, changed: true }] });
    }
  }
  return rows;
}
