// Promotion, members and the cache, end to end: a small grid on the
// simulator; its best two configs promoted to production one after the
// other from the leaderboard, then production rolled back from the
// promotions page (the deployments endpoint follows); an owner changes a
// viewer's role; the owner purges the cache and its stats drop to zero; a
// viewer sees neither rollback nor purge.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { guidedSpec } from './specs.mjs';
import { completed, e2eSession, eventually } from './support.mjs';

const s = e2eSession();
const NAME = 'promotion e2e';
const short = (hash) => hash.slice(0, 8);

/** 1 prompt x 2 models over 6 items: 2 configs, 12 runs. */
function gridSpec() {
  const base = guidedSpec(s.stack.simUrl, s.project().name, s.stack.seeded.dataset);
  return {
    ...base,
    name: NAME,
    description: 'A small grid whose configs are promoted and rolled back.',
    dataset: { name: s.stack.seeded.dataset, limit: 6 },
    prompts: base.prompts.slice(0, 1),
    models: base.models.slice(0, 2),
    params: { temperature: 0.0, max_tokens: 256 },
    strategy: { type: 'grid', seed: 5 },
    concurrency: 4,
  };
}

describe('promotion, members and the cache, end to end', () => {
  before(s.start);
  after(s.stop);

  let experiment;
  let sweep;
  let hashes; // the sweep's configs, best first
  const deployment = () =>
    `/api/deployments/${encodeURIComponent(s.project().name)}/${encodeURIComponent(NAME)}/production/`;
  const promotionsUrl = () => `/projects/${s.project().id}/experiments/${experiment.id}/promotions`;

  test('an editor promotes two configs from the leaderboard, then rolls production back to the first', async () => {
    const api = await s.api('edith');
    experiment = await api.post('/api/experiments/', gridSpec());
    sweep = await api.post(`/api/experiments/${experiment.id}/sweeps/`, {});
    await completed(api, sweep.id);
    hashes = (await api.get(`/api/sweeps/${sweep.id}/leaderboard/`)).map((row) => row.config_hash);
    assert.equal(hashes.length, 2);

    const { page, problems } = await s.pageAs('edith');
    await page.goto(`/sweeps/${sweep.id}`);
    await eventually(async () => assert.equal(await page.getByTestId('leaderboard-row').count(), 2));
    const promote = page.getByRole('button', { name: /^Promote .* to label$/ });
    for (const index of [0, 1]) {
      await promote.nth(index).click();
      const form = page.getByRole('form', { name: /^Promote / });
      assert.equal(await form.getByLabel('Label').inputValue(), 'production');
      await form.getByRole('button', { name: 'Promote' }).click();
      await page.getByText(`Promoted ${short(hashes[index])} to`).waitFor();
      if (index === 0) await page.getByRole('button', { name: 'Close' }).click();
    }
    assert.equal((await api.get(deployment())).config_hash, hashes[1]);

    // The promote form links to the promotions page.
    await page.getByRole('link', { name: 'See production and its deployment' }).click();
    await page.waitForURL(new RegExp(`${promotionsUrl()}$`));
    const production = page.getByRole('region', { name: /^production/ });
    await production.getByRole('heading', { name: `production points to ${short(hashes[1])}` }).waitFor();
    const url = `${s.stack.baseUrl}${deployment()}`;
    await production.getByRole('link', { name: url }).waitFor();
    await s.check(page, problems, 'promotions');

    // Copy the snippet: the clipboard holds the URL and a key placeholder.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await production.getByRole('button', { name: 'Copy the curl snippet for production' }).click();
    await production.getByText('Copied', { exact: true }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /Api-Key \$PROMPTLOOPER_API_KEY/);
    assert.ok(copied.includes(url), copied);

    // Roll back by keyboard, confirming what production will point to.
    const rollback = production.getByRole('button', { name: `Roll back production to config ${short(hashes[0])} from sweep #${sweep.id}` });
    await rollback.focus();
    await page.keyboard.press('Enter');
    const confirm = production.getByRole('group', { name: 'Roll back production?' });
    assert.match(await confirm.textContent(), new RegExp(`Point production to config ${short(hashes[0])} from sweep #${sweep.id}`));
    await confirm.getByRole('button', { name: 'Roll back production' }).click();
    await production.getByText(`Rolled back: production now points to config ${short(hashes[0])}`).waitFor();
    await production.getByRole('heading', { name: `production points to ${short(hashes[0])}` }).waitFor();
    assert.equal((await api.get(deployment())).config_hash, hashes[0]);
    assert.equal(await production.getByRole('row').count(), 4, 'three promotions and the header');
    await s.check(page, problems, 'promotions-rolled-back');
  });

  test('a viewer sees the labels but no rollback, the members read-only and no purge', async () => {
    const { page, problems } = await s.pageAs('victor');
    await page.goto(promotionsUrl());
    await page.getByRole('heading', { name: `production points to ${short(hashes[0])}` }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Roll back/ }).count(), 0);
    await s.check(page, problems, 'promotions-viewer');

    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { level: 1, name: `Members of ${s.project().name}` }).waitFor();
    await page.getByRole('cell', { name: 'olga', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Remove|Add member|Save/ }).count(), 0);
    await s.check(page, problems, 'members-viewer');

    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Cache' }).click();
    await page.getByRole('cell', { name: NAME }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Purge/ }).count(), 0);
    await s.check(page, problems, 'cache-viewer');
  });

  test('an owner changes a member’s role, an unknown user name refused at the field', async () => {
    const api = await s.api('olga');
    // The unknown user name is refused with a 400, which Chromium logs.
    const refused = [{ status: /status of 400/, url: /\/api\/projects\/\d+\/members\/$/ }];
    const { page, problems } = await s.pageAs('olga', { expected: refused });
    await page.goto(`/projects/${s.project().id}/members`);
    const form = page.getByRole('form', { name: 'Add a member' });
    await form.getByLabel('User name').fill('nobody-here');
    await form.getByRole('button', { name: 'Add member' }).click();
    await form.getByText('No user "nobody-here".').waitFor();
    assert.equal(await form.getByLabel('User name').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Role of victor', { exact: true }).selectOption('editor');
    await page.getByRole('button', { name: 'Save the role of victor' }).click();
    await page.getByText('victor is now an editor.').waitFor();
    const role = async () => (await api.get(`/api/projects/${s.project().id}/members/`)).find((m) => m.username === 'victor').role;
    assert.equal(await role(), 'editor');
    await s.check(page, problems, 'members');

    // Back to a viewer, through the add form (adding a member sets their role).
    await form.getByLabel('User name').fill('victor');
    await form.getByLabel('Role', { exact: true }).selectOption('viewer');
    await form.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('victor is now a viewer.').waitFor();
    await eventually(async () =>
      assert.equal(await page.getByLabel('Role of victor', { exact: true }).inputValue(), 'viewer'),
    );
    assert.equal(await role(), 'viewer');

    // Removing asks first, naming who loses access; keeping changes nothing.
    await page.getByRole('button', { name: 'Remove victor' }).click();
    const confirm = page.getByRole('group', { name: 'Remove victor?' });
    assert.match(await confirm.textContent(), /Remove victor from .*They lose access/);
    await confirm.getByRole('button', { name: 'Keep' }).click();
    assert.equal(await role(), 'viewer');
  });

  test('an owner purges the cache after being told how many entries go, and the stats drop to zero', async () => {
    // A second sweep of the same grid is answered from the cache: hits, and savings.
    const editor = await s.api('edith');
    await completed(editor, (await editor.post(`/api/experiments/${experiment.id}/sweeps/`, {})).id);
    const api = await s.api('olga');
    const project = s.project().id;
    const [before] = await api.get(`/api/cache/stats/?project=${project}`);
    assert.ok(before.entries > 0, 'the sweep filled the cache');
    assert.ok(before.hits > 0 && before.cost_saved > 0, JSON.stringify(before));
    const rows = await api.get(`/api/cache/experiments/?project=${project}`);
    const mine = rows.find((row) => row.name === NAME);
    assert.ok(mine.entries > 0);

    const { page, problems } = await s.pageAs('olga');
    await page.goto(`/projects/${project}/cache`);
    const totals = page.getByRole('region', { name: 'The whole project' });
    const count = new Intl.NumberFormat('en-US').format(before.entries);
    const hits = new Intl.NumberFormat('en-US').format(before.hits);
    await eventually(async () =>
      assert.match(await totals.textContent(), new RegExp(`Entries${count}Hits \\(calls saved\\)${hits}Cost saved\\$0\\.`)),
    );
    const row = page.getByRole('row', { name: new RegExp(`^${NAME}`) });
    assert.match(await row.textContent(), new RegExp(`${mine.entries}${mine.hits}${mine.calls_saved}\\$`));
    await s.check(page, problems, 'cache');

    await totals.getByRole('button', { name: 'Purge the cache of the whole project' }).click();
    const confirm = totals.getByRole('group', { name: /whole project/ });
    assert.match(await confirm.textContent(), new RegExp(`Delete all ${count} cached responses? of this project`));
    await confirm.getByRole('button', { name: 'Purge all' }).click();
    await page.getByText(new RegExp(`Purged the whole project: deleted ${count} cached`)).waitFor();
    await eventually(async () => {
      const [after] = await api.get(`/api/cache/stats/?project=${project}`);
      assert.deepEqual([after.entries, after.hits, after.cost_saved], [0, 0, 0]);
    });
    await totals.getByText('$0.00', { exact: true }).waitFor();
    await row.getByText('nothing cached').waitFor();
    await s.check(page, problems, 'cache-purged');
  });
});
