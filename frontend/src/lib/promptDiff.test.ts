import { describe, expect, it } from 'vitest';
import { messagesText, sideBySide } from './promptDiff';

const changedText = (segments: { text: string; changed: boolean }[] | null) =>
  (segments ?? []).filter((s) => s.changed).map((s) => s.text.trim());

describe('the side-by-side prompt diff', () => {
  it('pairs a changed line and marks only the words that changed on each side', () => {
    const rows = sideBySide('[user]\nList the people in {{ text }}', '[user]\nList the places in {{ text }}');
    expect(rows.map((r) => r.kind)).toEqual(['same', 'changed']);
    expect(changedText(rows[1]!.a)).toEqual(['people']);
    expect(changedText(rows[1]!.b)).toEqual(['places']);
    expect(rows[1]!.a!.map((s) => s.text).join('')).toBe('List the people in {{ text }}');
  });

  it('shows lines only one side has against an empty cell', () => {
    const rows = sideBySide('a\nb\nc', 'a\nc\nd');
    expect(rows).toEqual([
      { kind: 'same', a: [{ text: 'a', changed: false }], b: [{ text: 'a', changed: false }] },
      { kind: 'removed', a: [{ text: 'b', changed: true }], b: null },
      { kind: 'same', a: [{ text: 'c', changed: false }], b: [{ text: 'c', changed: false }] },
      { kind: 'added', a: null, b: [{ text: 'd', changed: true }] },
    ]);
  });

  it('pairs as many lines as both runs have and leaves the rest alone', () => {
    const rows = sideBySide('x\none\ntwo\ny', 'x\nONE\ny');
    expect(rows.map((r) => r.kind)).toEqual(['same', 'changed', 'removed', 'same']);
  });

  it('finds no change between equal texts', () => {
    expect(sideBySide('a\nb', 'a\nb').every((r) => r.kind === 'same')).toBe(true);
  });

  it('writes messages as the API diffs them: the role line, then the content', () => {
    expect(messagesText([{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'a\nb' }])).toBe(
      '[system]\nBe terse.\n[user]\na\nb',
    );
  });
});
