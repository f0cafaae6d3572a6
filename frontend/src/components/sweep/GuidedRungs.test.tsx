import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RungConfig } from '../../live/events';
import type { RungEntry } from '../../live/reducer';
import { GuidedRungs } from './GuidedRungs';

function config(id: string, score: number, items: number | null): RungConfig {
  return { id, label: `config ${id}`, values: { score }, rankedBy: { score: score - 0.05 }, items };
}

function entry(rung: number, last: boolean, promoted: RungConfig[], dropped: RungConfig[]): RungEntry {
  return {
    bracket: 0,
    rung,
    last,
    items: last ? 40 : 6,
    promoted,
    dropped,
    best: last ? promoted[0] ?? null : null,
    spent: last ? 706 : 160,
    budget: 720,
    seq: rung + 1,
    at: '2026-12-02T03:00:00Z',
  };
}

describe('the guided rungs panel', () => {
  it('shows each step and the end with the items every config saw', () => {
    render(
      <GuidedRungs
        rungs={[
          entry(0, false, [config('aa', 1, 6), config('bb', 0.5, 2)], []),
          entry(1, true, [config('aa', 0.9, 40)], [config('bb', 0.5, 2), config('cc', 0, 1)]),
        ]}
      />,
    );
    expect(screen.getByText('2 promoted to more items (up to 6), 0 dropped')).toBeInTheDocument();
    expect(screen.getByText('1 shown every item (40), 2 dropped')).toBeInTheDocument();
    expect(screen.getByText(/Spent 706 of 720 runs/)).toBeInTheDocument();
    // The end is open: its tables list the items each config saw.
    const shown = screen.getByRole('table', { name: 'Evaluated on every item (1)' });
    expect(within(shown).getByRole('columnheader', { name: 'Items' })).toBeInTheDocument();
    expect(within(shown).getByRole('row', { name: /config aa 40/ })).toBeInTheDocument();
    const dropped = screen.getByRole('table', { name: 'Dropped (2)' });
    expect(within(dropped).getByRole('row', { name: /config cc 1/ })).toBeInTheDocument();
  });

  it('leaves the items column out for events from before configs named their items', () => {
    render(<GuidedRungs rungs={[entry(0, true, [config('aa', 0.9, null)], [])]} />);
    expect(screen.queryByRole('columnheader', { name: 'Items' })).not.toBeInTheDocument();
  });
});
