// The run explorer, a run's page, prompts, endpoints and API keys, end to
// end: each page's main action in Chromium against the real stack, checked
// against what the API then says.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { guidedSpec } from './specs.mjs';
import { completed, e2eSession, eventually } from './support.mjs';

const s = e2eSession();

/** A JSON request as `username` with a bearer token of its own (the session's client has no PATCH). */
async function tokenClient(baseUrl, username, password) {
  const answer = await fetch(`${baseUrl}/api/auth/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(answer.status, 200, `token for ${username}`);
  const { access } = await answer.json();
  return async (method, path, body) => {
    const reply = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${access}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await reply.text();
    assert.ok(reply.ok, `${method} ${path}: ${reply.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
}

/** JSON as its value (the page indents it), any other text as it is. */
function parsedOrText(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Every run of a sweep, through the cursor pages. */
async function allRuns(api, sweepId) {
  const runs = [];
  let path = `/api/sweeps/${sweepId}/runs/`;
  while (path) {
    const page = await api.get(path);
    runs.push(...page.results);
    path = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  return runs;
}

describe('curation and exploration pages, end to end', () => {
  before(s.start);
  after(s.stop);

  test('the run explorer narrows to a URL filter; a run shows what was sent, answered and scored', async () => {
    const api = await s.api('edith');
    const base = guidedSpec(s.stack.simUrl, s.project().name, s.stack.seeded.dataset);
    // 2 prompts x 2 models over 6 items: 24 runs, 4 configs.
    const spec = {
      ...base,
      name: 'runs-explorer-e2e',
      description: 'A small grid for the run explorer.',
      dataset: { name: s.stack.seeded.dataset, limit: 6 },
      models: base.models.slice(0, 2),
      params: { temperature: 0.0, max_tokens: 256 },
      strategy: { type: 'grid', seed: 5 },
    };
    const experiment = await api.post('/api/experiments/', spec);
    const started = await api.post(`/api/experiments/${experiment.id}/sweeps/`, {});
    await completed(api, started.id);
    const runs = await allRuns(api, started.id);
    assert.equal(runs.length, 24);
    const board = await api.get(`/api/sweeps/${started.id}/leaderboard/`);
    assert.equal(board.length, 4);

    const { page, problems } = await s.pageAs('edith');
    await page.goto(`/sweeps/${started.id}/runs`);
    await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
    const footer = page.getByRole('region', { name: 'Runs (scroll to load more)' }).locator('p[aria-live]');
    await eventually(async () => assert.equal(await footer.textContent(), 'All 24 matching runs loaded'));
    await s.check(page, problems, 'runs-explorer');

    // Sorted by score, best first, from the header (a first click sorts ascending, the second turns it).
    const scoreHeader = page.getByRole('columnheader', { name: /^Score/ });
    await scoreHeader.getByRole('button', { name: 'Score' }).click();
    await page.waitForURL((url) => url.searchParams.get('ordering') === 'score');
    await scoreHeader.getByRole('button', { name: 'Score' }).press('Enter');
    await page.waitForURL((url) => url.searchParams.get('ordering') === '-score');
    // The URL changes first; the header follows on the next render.
    await eventually(async () => assert.equal(await scoreHeader.getAttribute('aria-sort'), 'descending'));
    const bestFirst = (await api.get(`/api/sweeps/${started.id}/runs/?ordering=-score`)).results;
    const drawnRows = page.locator('tbody tr[aria-rowindex]');
    await eventually(async () => {
      const drawn = await drawnRows.locator('td:first-child').allTextContents();
      assert.ok(drawn.length >= 5, `${drawn.length} rows drawn`);
      assert.deepEqual(
        drawn,
        bestFirst.slice(0, drawn.length).map((run) => `#${run.id}`),
        'the rows in the order the API sorts them',
      );
    });
    const shown = (await drawnRows.locator('td:nth-child(6)').allTextContents()).map((text) =>
      text === '—' ? -Infinity : Number(text),
    );
    assert.ok(
      shown.every((score, index) => index === 0 || score <= shown[index - 1]),
      `scores not increasing: ${shown}`,
    );
    assert.deepEqual(
      shown.filter(Number.isFinite),
      bestFirst.slice(0, shown.length).filter((run) => run.score !== null).map((run) => Number(run.score.toFixed(3))),
    );
    await s.check(page, problems, 'runs-explorer-sorted');

    // One model's runs through the model axis (its choices from the leaderboard), as many as the API counts.
    // A select inside its label: the label's text runs on into the options'.
    await page.getByLabel(/^model/).selectOption('sim-sloppy');
    await page.waitForURL((url) => url.searchParams.getAll('axis').join() === 'model:sim-sloppy');
    const sloppyRuns = (await api.get(`/api/sweeps/${started.id}/runs/?axis=model:sim-sloppy`)).results;
    assert.equal(sloppyRuns.length, runs.filter((run) => run.config.model === 'sim-sloppy').length);
    assert.ok(sloppyRuns.length > 0 && sloppyRuns.length < runs.length, `${sloppyRuns.length} sim-sloppy runs`);
    await eventually(async () =>
      assert.equal(await footer.textContent(), `All ${sloppyRuns.length} matching runs loaded`),
    );
    assert.equal(new URL(page.url()).searchParams.get('ordering'), '-score', 'the sort stays');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => !url.searchParams.has('axis') && url.searchParams.get('ordering') === '-score');
    await eventually(async () => assert.equal(await footer.textContent(), 'All 24 matching runs loaded'));

    // One item: its four runs (one per config), the item in the URL.
    const item = runs[0].item;
    await page.getByLabel('Item id').fill(String(item));
    await page.getByLabel('Item id').press('Enter');
    await page.waitForURL((url) => url.searchParams.get('item') === String(item));
    await eventually(async () => assert.equal(await footer.textContent(), 'All 4 matching runs loaded'));
    const itemCells = page.locator('tbody tr[aria-rowindex] td:nth-child(3)');
    assert.deepEqual(await itemCells.allTextContents(), Array(4).fill(String(item)));

    // And one model's config (the choices are the leaderboard's configs): one run left, both filters in the URL.
    const sloppy = runs.find((run) => run.item === item && JSON.stringify(run.config).includes('sim-sloppy'));
    assert.ok(sloppy, 'a sim-sloppy run of the item');
    await page.getByLabel(/^Config/).selectOption(sloppy.config_hash);
    await page.waitForURL((url) => url.searchParams.get('config_hash') === sloppy.config_hash);
    assert.equal(new URL(page.url()).searchParams.get('item'), String(item));
    await eventually(async () => assert.equal(await footer.textContent(), 'All 1 matching runs loaded'));
    await page.getByText('2 filters applied.').waitFor();

    // The URL alone gives the same view (it can be shared).
    await page.reload();
    await eventually(async () => assert.equal(await footer.textContent(), 'All 1 matching runs loaded'));
    assert.equal(await page.getByLabel('Item id').inputValue(), String(item));
    await s.check(page, problems, 'runs-explorer-filtered');

    const detail = await api.get(`/api/runs/${sloppy.id}/`);
    await page.getByRole('link', { name: `#${sloppy.id}` }).click();
    await page.waitForURL(new RegExp(`/runs/${sloppy.id}$`));
    await page.getByRole('heading', { level: 1, name: `Run #${sloppy.id}` }).waitFor();
    const sent = page.getByRole('list', { name: 'Messages sent' });
    await sent.waitFor();
    const messages = sent.getByRole('listitem');
    assert.equal(await messages.count(), detail.messages.length);
    // The rendered messages: the item's passage, not the template.
    const lastSent = detail.messages.at(-1).content;
    assert.ok(!lastSent.includes('{{'), 'the API gives the rendered message');
    assert.equal(await messages.last().locator('pre').textContent(), lastSent, 'the rendered user message shows');
    const output = await page.getByRole('region', { name: 'Output', exact: true }).locator('pre').textContent();
    assert.deepEqual(parsedOrText(output), parsedOrText(detail.output_text), 'the output shows');
    const scores = page.locator('table').filter({ has: page.getByRole('columnheader', { name: 'Scorer' }) });
    const scorerNames = await scores.locator('tbody tr td:first-child').allTextContents();
    assert.deepEqual(scorerNames.sort(), detail.scores.map((score) => score.scorer).sort());
    assert.ok(scorerNames.length >= 3, `scorers: ${scorerNames}`);
    await s.check(page, problems, 'run-detail');
  });

  test("a prompt's two versions side by side, the changed words marked; a version added from the page", async () => {
    const { password } = s.users().edith;
    const call = await tokenClient(s.stack.baseUrl, 'edith', password);
    const name = 'summary-e2e';
    const prompt = await call('POST', '/api/prompts/', {
      project: s.project().id,
      name,
      description: 'Two versions to compare.',
      messages: [
        { role: 'system', content: 'Summarise the passage in one short sentence.' },
        { role: 'user', content: '{{ passage }}' },
      ],
    });
    const second = await call('PATCH', `/api/prompts/${prompt.id}/`, {
      messages: [
        { role: 'system', content: 'Summarise the passage in two careful sentences.' },
        { role: 'user', content: '{{ passage }}' },
      ],
    });
    assert.equal(second.version, 2);

    const { page, problems } = await s.pageAs('edith');
    await page.goto(`/projects/${s.project().id}/prompts/${prompt.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`^${name}`) }).waitFor();
    const diff = page.getByRole('table', { name: `${name} v1 against ${name} v2` });
    await diff.waitFor();
    await page.getByText('1 line differs.').waitFor();
    const struck = (await diff.locator('del').allTextContents()).join(' ');
    const added = (await diff.locator('ins').allTextContents()).join(' ');
    const word = (text) => new RegExp(`\\b${text}\\b`);
    for (const text of ['one', 'short', 'sentence']) assert.match(struck, word(text), `v1's "${text}" struck`);
    for (const text of ['two', 'careful', 'sentences']) assert.match(added, word(text), `v2's "${text}" marked`);
    assert.doesNotMatch(`${struck} ${added}`, /Summarise|passage/, 'unchanged words are not marked');
    const changedRow = diff.locator('tbody tr[data-kind="changed"]');
    assert.equal(await changedRow.count(), 1);
    await s.check(page, problems, 'prompt-diff');

    // A third version from the page, from the latest messages.
    const form = page.getByRole('region', { name: 'Add a version' });
    const system = form.getByRole('group', { name: 'Message 1' }).getByLabel('Content');
    assert.equal(await system.inputValue(), 'Summarise the passage in two careful sentences.');
    await system.fill('Summarise the passage in three plain sentences.');
    await form.getByRole('button', { name: 'Save as a new version' }).click();
    await form.getByRole('status').filter({ hasText: 'Added v3.' }).waitFor();
    const versions = await call('GET', `/api/prompts/${prompt.id}/versions/`);
    assert.deepEqual(
      versions.results.map((v) => v.number),
      [3, 2, 1],
    );
    assert.equal(versions.results[0].messages[0].content, 'Summarise the passage in three plain sentences.');
    const list = page.getByRole('region', { name: 'Versions' });
    await list.getByRole('cell', { name: 'v3', exact: true }).waitFor();

    // Any two versions: v1 against v3, the choice in the URL.
    await page.getByLabel('A', { exact: true }).selectOption('1');
    await page.getByLabel('B', { exact: true }).selectOption('3');
    await page.waitForURL((url) => url.searchParams.get('a') === '1' && url.searchParams.get('b') === '3');
    const third = page.getByRole('table', { name: `${name} v1 against ${name} v3` });
    await third.waitFor();
    assert.match((await third.locator('ins').allTextContents()).join(' '), /\bthree\b/);
    await s.check(page, problems, 'prompt-diff-v1-v3');
  });

  test('an endpoint added from the page: its key write-only, its connection tested against the simulator', async () => {
    const api = await s.api('edith');
    const name = 'sim-from-page';
    const secret = 'sk-e2e-not-shown-anywhere';
    const { page, problems } = await s.pageAs('edith');
    await page.goto(`/projects/${s.project().id}/endpoints`);
    await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('region', { name: 'Add an endpoint' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Base URL').fill(`${s.stack.simUrl}/v1`);
    const key = form.getByLabel('API key', { exact: true });
    assert.equal(await key.getAttribute('type'), 'password');
    await key.fill(secret);
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('status').filter({ hasText: `Saved ${name}.` }).waitFor();

    const row = page.getByRole('row').filter({ hasText: name });
    await row.waitFor();
    assert.equal(await row.getByRole('cell').nth(6).textContent(), 'set');
    assert.ok(!(await page.content()).includes(secret), 'the key is not in the page');
    const stored = (await api.get(`/api/endpoints/?project=${s.project().id}&name=${name}`)).results[0];
    assert.equal(stored.api_key_set, true);
    assert.ok(!('api_key' in stored), 'the API does not give the key back');
    assert.ok(!JSON.stringify(stored).includes(secret));

    await page.getByRole('button', { name: `Test the connection to ${name}` }).click();
    const result = page.getByRole('status', { name: `Connection to ${name}` });
    await eventually(async () => assert.match(await result.innerText(), /^Connected: /));
    assert.match(await result.innerText(), /sim-extractor/, 'the models the simulator serves');
    await s.check(page, problems, 'endpoints');

    // Editing says a key is set without showing it.
    await page.getByRole('button', { name: `Edit ${name}` }).click();
    const edit = page.getByRole('region', { name: `Edit ${name}` });
    const editKey = edit.getByLabel('API key', { exact: true });
    assert.equal(await editKey.inputValue(), '');
    assert.equal(await editKey.getAttribute('placeholder'), 'set (hidden)');
    await edit.getByText(/^A key is set\./).waitFor();
    await s.check(page, problems, 'endpoints-edit');
  });

  test('an API key made on the page works on the API until it is revoked there', async () => {
    const { page, problems } = await s.pageAs('edith');
    await page.goto('/api-keys');
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('e2e-script');
    await page.getByRole('button', { name: 'Make key' }).click();
    const notice = page.getByRole('region', { name: /Your new API key/ });
    await notice.waitFor();
    const key = await notice.getByLabel('API key').inputValue();
    assert.match(key, /^plk_/);
    await s.check(page, problems, 'api-keys');

    const asKey = () =>
      fetch(`${s.stack.baseUrl}/api/experiments/?project=${s.project().id}`, {
        headers: { Authorization: `Api-Key ${key}` },
      });
    const allowed = await asKey();
    assert.equal(allowed.status, 200, await allowed.text());

    // Shown once: gone from the page once dismissed, the list has its prefix only.
    await notice.getByRole('button', { name: 'I have copied it' }).click();
    await notice.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'e2e-script' });
    await row.waitFor();
    assert.ok(!(await page.content()).includes(key), 'the key is still on the page');
    assert.ok(key.startsWith((await row.getByRole('cell').nth(1).textContent()).replace('…', '')));

    await row.getByRole('button', { name: 'Revoke e2e-script' }).click();
    const confirm = page.getByRole('group', { name: 'Revoke e2e-script?' });
    await confirm.getByText(/refused \(401\) at once/).waitFor();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await eventually(async () => assert.equal(await row.getByRole('cell').nth(7).textContent(), 'revoked'));
    await s.check(page, problems, 'api-keys-revoked');

    const refused = await asKey();
    assert.ok([401, 403].includes(refused.status), `the revoked key got ${refused.status}`);
  });
});
