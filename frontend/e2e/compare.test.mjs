// Configs side by side and sweep against sweep, end to end: a small grid on
// the simulator, two of its configs compared from the leaderboard, then a
// second sweep of the same experiment made worse on purpose and its
// regression flagged against the first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { guidedSpec } from './specs.mjs';
import { completed, e2eSession, eventually } from './support.mjs';

const s = e2eSession();
/** A delta as the pages show it: +0.120, −0.050, 0.000. */
const sign = (value) => (Math.abs(value) < 0.0005 ? '0.000' : `${value > 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`);
const NAME = 'compare-e2e';

/**
 * 2 prompts x 2 models at one temperature over 12 items: 4 configs, 48 runs.
 * sim-sloppy drops names at random (seeded by the request) where
 * sim-extractor does not, so their outputs differ word by word. `passage`
 * is how the prompts pass the text on: lower-cased, the simulated models
 * find no names in it, and every config scores worse with the same hash.
 */
function gridSpec(passage) {
  const base = guidedSpec(s.stack.simUrl, s.project().name, s.stack.seeded.dataset);
  return {
    ...base,
    name: NAME,
    description: 'A small grid compared config by config, then sweep against sweep.',
    dataset: { name: s.stack.seeded.dataset, limit: 12 },
    prompts: [
      {
        name: 'terse',
        messages: [
          { role: 'system', content: 'Extract people, places and organisations as JSON.' },
          { role: 'user', content: passage },
        ],
      },
      { name: 'plain', template: `Names in this text, as JSON: ${passage}` },
    ],
    models: base.models.slice(0, 2),
    params: { temperature: 0.5, max_tokens: 256 },
    strategy: { type: 'grid', seed: 11 },
    concurrency: 4,
  };
}

describe('compare configs and sweeps, end to end', () => {
  before(s.start);
  after(s.stop);

  let experiment;
  let first;

  test('two configs ticked on the leaderboard open side by side, their differences marked and scored', async () => {
    const api = await s.api('edith');
    experiment = await api.post('/api/experiments/', gridSpec('{{ passage }}'));
    first = await api.post(`/api/experiments/${experiment.id}/sweeps/`, {});
    await completed(api, first.id);

    const { page, problems } = await s.pageAs('edith');
    await page.goto(`/sweeps/${first.id}`);
    await page.getByRole('heading', { level: 1, name: `Sweep #${first.id}` }).waitFor();
    await eventually(async () => assert.equal(await page.getByTestId('leaderboard-row').count(), 4));
    await s.check(page, problems, 'compare-sweep-page');

    // By keyboard: the two models of one prompt, whose outputs differ.
    const compare = page.getByRole('button', { name: /^Compare/ });
    assert.equal(await compare.isDisabled(), true, 'Compare waits for two configs');
    for (const model of ['sim-extractor', 'sim-sloppy']) {
      const box = page.getByRole('checkbox', { name: new RegExp(`^Compare terse / local-sim:${model} `) });
      await box.focus();
      await page.keyboard.press('Space');
      assert.equal(await box.isChecked(), true, `${model} ticked`);
    }
    await compare.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/sweeps/${first.id}/compare\\?configs=[0-9a-f]+,[0-9a-f]+$`));
    await page.getByRole('heading', { level: 1, name: 'Compare configs' }).waitFor();
    await page.getByTestId('compare-item').first().waitFor();

    // What the API says the page should show.
    const hashes = new URL(page.url()).searchParams.get('configs');
    const answer = await api.get(`/api/sweeps/${first.id}/compare/?configs=${hashes}`);
    assert.equal(answer.shared_items, 12);
    const differing = answer.summary[1].outputs_differing;
    assert.ok(differing > 0, 'the two models answer alike on every item');

    // The items the configs disagree on most come first, as the API orders them.
    const headings = await page.getByTestId('compare-item').locator('h3').allTextContents();
    assert.deepEqual(
      headings,
      answer.items.map((item) => `Item #${item.item_id}`),
    );
    // Word-level differences of B's outputs against A's, marked both ways.
    const marked = await page.locator('[data-testid=compare-run] del[data-op=delete]').count();
    const added = await page.locator('[data-testid=compare-run] ins[data-op=insert]').count();
    assert.ok(marked > 0 && added > 0, `deletions ${marked}, insertions ${added}`);
    const reference = page.getByTestId('compare-run').first();
    assert.equal(await reference.locator('del, ins').count(), 0, 'the reference is not diffed');

    // Per-scorer deltas to A, with their sign, and the mean's delta in the summary.
    const firstItem = answer.items[0];
    const other = page.getByTestId('compare-item').first().getByTestId('compare-run').nth(1);
    const scorerRows = other.getByTestId('scorer-delta');
    assert.deepEqual(
      (await scorerRows.locator('th').allTextContents()).sort(),
      Object.keys(firstItem.runs[1].scores).sort(),
    );
    const f1 = firstItem.runs[1].scores_delta['json_f1:people'];
    assert.equal(
      (await scorerRows.filter({ hasText: 'json_f1:people' }).locator('td').nth(1).textContent()).trim(),
      sign(f1),
    );
    const summaryRow = page.getByTestId('compare-config').nth(1);
    const summaryText = await summaryRow.textContent();
    assert.ok(summaryText.includes(sign(answer.summary[1].score_delta)), summaryText);

    // Each run opens its own page.
    const runLink = other.getByRole('link', { name: `Run #${firstItem.runs[1].run_id}` });
    assert.equal(await runLink.getAttribute('href'), `/runs/${firstItem.runs[1].run_id}`);
    await s.check(page, problems, 'compare');

    // An editor promotes B from here.
    await page.getByRole('button', { name: /^Promote B .* to label$/ }).click();
    const form = page.getByRole('form', { name: /^Promote / });
    await form.getByLabel('Label').fill('staging');
    await form.getByRole('button', { name: 'Promote' }).click();
    await page.getByRole('status').filter({ hasText: /Promoted/ }).waitFor();
    const labels = (await api.get(`/api/experiments/${experiment.id}/`)).labels;
    assert.equal(labels.find((l) => l.label === 'staging')?.config_hash, hashes.split(',')[1]);

    await runLink.click();
    await page.waitForURL(new RegExp(`/runs/${firstItem.runs[1].run_id}$`));
    await page.getByRole('heading', { level: 1, name: `Run #${firstItem.runs[1].run_id}` }).waitFor();
    await s.check(page, problems);
  });

  test('a worse sweep of the same experiment shows its regressions against the first', async () => {
    assert.ok(first, 'the first test made the baseline sweep');
    const api = await s.api('edith');
    // The same prompt names, models and params (so the same config hashes), worse prompts.
    const worse = await api.post('/api/experiments/', gridSpec('{{ passage | lower }}'));
    assert.equal(worse.id, experiment.id, 'the experiment took the new spec');
    const second = await api.post(`/api/experiments/${experiment.id}/sweeps/`, {});
    await completed(api, second.id);
    const answer = await api.get(`/api/sweeps/${first.id}/versus/${second.id}/`);
    assert.ok(answer.regressions > 0, `no regression: ${JSON.stringify(answer.configs.map((c) => c.verdict))}`);

    const { page, problems } = await s.pageAs('edith');
    await page.goto(`/sweeps/${second.id}`);
    await page.getByRole('link', { name: 'Against another sweep' }).click();
    await page.waitForURL(new RegExp(`/sweeps/${second.id}/versus$`));
    const picker = page.getByLabel('Baseline sweep');
    // The experiment's previous sweep is offered first.
    await eventually(async () => assert.equal(await picker.inputValue(), String(first.id)));
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.waitForURL(new RegExp(`/sweeps/${second.id}/versus\\?baseline=${first.id}$`));

    const rows = page.getByTestId('versus-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), answer.configs.length);
    const flagged = rows.filter({ hasText: 'Regression' });
    assert.equal(await flagged.count(), answer.regressions);
    // The worst first, its change negative and its interval below zero.
    const worst = answer.configs[0];
    assert.equal(worst.verdict, 'regression');
    const top = await rows.first().textContent();
    assert.match(top, /Regression/);
    assert.ok(top.includes(sign(worst.delta)), top);
    assert.ok(top.includes(`${sign(worst.delta_ci95[0])} to ${sign(worst.delta_ci95[1])}`), top);
    const counts = await page.getByTestId('versus-counts').textContent();
    assert.match(counts, new RegExp(`${answer.regressions} regressions?`));
    await s.check(page, problems, 'versus');
  });
});
