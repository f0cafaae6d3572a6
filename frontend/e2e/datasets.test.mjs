// Datasets end to end: create one, upload a file with a bad line (nothing
// imported, the line's error shown), upload a good one, search its items,
// replace it after confirming, download it; a viewer reads only.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { e2eSession, eventually } from './support.mjs';

const s = e2eSession();
// The refused upload answers 400 by design; Chromium logs it as a console error.
const REFUSED_UPLOAD = [{ status: /status of 400/, url: /\/api\/datasets\/\d+\/import\/$/ }];

const PEOPLE = [
  {
    input: { passage: 'Grace Hopper worked on the Harvard Mark I.' },
    expected: { people: ['Grace Hopper'] },
    tags: ['science'],
  },
  { input: { passage: 'Alan Turing was born in London.' }, expected: { people: ['Alan Turing'] }, tags: ['history'] },
  { input: { passage: 'Nobody is named here.' }, expected: { people: [] } },
];

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'pl-datasets-e2e-'));
  const write = (name, text) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const lines = PEOPLE.map((row) => JSON.stringify(row));
  return {
    bad: write('bad.jsonl', [lines[0], '{"input": {"passage": "unterminated"', lines[2]].join('\n') + '\n'),
    good: write('people.jsonl', lines.join('\n') + '\n'),
    replacement: write('two.csv', 'passage,expected\nAda Lovelace met Babbage,Ada\nMarie Curie in Paris,Marie\n'),
  };
}

describe('datasets, end to end', () => {
  before(s.start);
  after(s.stop);

  test('an editor creates a dataset, sees a bad line refused, uploads, searches, replaces and downloads', async () => {
    const project = s.project();
    const paths = files();
    const { page, problems } = await s.pageAs('edith', { expected: REFUSED_UPLOAD });

    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Datasets' }).click();
    await page.waitForURL(`**/projects/${project.id}/datasets`);
    const passages = page.getByRole('row').filter({ has: page.getByRole('link', { name: s.stack.seeded.dataset }) });
    const seeded = (await (await s.api('edith')).get(`/api/datasets/?project=${project.id}`)).results[0];
    const itemsCell = passages.getByRole('cell').nth(1);
    await eventually(async () => assert.equal(await itemsCell.textContent(), String(seeded.items)));
    await s.check(page, problems, 'datasets');

    await page.getByRole('button', { name: 'New dataset' }).click();
    await s.check(page, problems); // the form too
    await page.getByLabel('Name', { exact: true }).fill('people');
    await page.getByLabel('Description (optional)').fill('Who is named where');
    await page.getByRole('button', { name: 'Create dataset' }).click();
    await page.waitForURL(/\/datasets\/\d+$/);
    const datasetId = Number(new URL(page.url()).pathname.split('/').at(-1));
    await page.getByText('people has no items yet').waitFor();

    // One bad line: the whole file is refused, that line named.
    const file = page.getByLabel('File (.jsonl or .csv)');
    await file.setInputFiles(paths.bad);
    await page.getByRole('button', { name: 'Upload' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Nothing was imported/);
    const problemsShown = await alert.getByRole('listitem').allTextContents();
    assert.equal(problemsShown.length, 1, problemsShown.join(' | '));
    assert.match(problemsShown[0], /^Line 2: invalid JSON/);
    assert.equal((await (await s.api('edith')).get(`/api/datasets/${datasetId}/`)).items, 0);
    await page.getByText('people has no items yet').waitFor();
    await s.check(page, problems, 'dataset-upload-error');

    // The good file: its items appear.
    await file.setInputFiles(paths.good);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 3 items from people.jsonl.' }).waitFor();
    assert.equal(await alert.count(), 0);
    const rows = page.getByRole('table').getByRole('row');
    await eventually(async () => assert.equal(await rows.count(), 4));
    assert.match(await rows.nth(1).textContent(), /Grace Hopper worked on the Harvard Mark I\./);
    await eventually(async () => assert.match(await page.locator('h1 + span').textContent(), /^3 items$/));

    // Search, kept in the URL: the server answers the matches.
    await page.getByRole('searchbox', { name: 'Search items' }).fill('TURING');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?search=TURING$/);
    await eventually(async () => assert.equal(await rows.count(), 2));
    assert.match(await rows.nth(1).textContent(), /Alan Turing was born in London\./);
    await page.getByText('1 item match “TURING”').waitFor();
    await s.check(page, problems, 'dataset');
    await page.reload();
    await eventually(async () => assert.equal(await rows.count(), 2));
    await page.getByRole('button', { name: 'Clear' }).click();
    await eventually(async () => assert.equal(await rows.count(), 4));

    // Replace asks first, saying how many items go.
    await file.setInputFiles(paths.replacement);
    await page.getByRole('radio', { name: /Replace/ }).check();
    await page.getByRole('button', { name: 'Upload' }).click();
    const ask = page.getByRole('group', { name: 'Replace the items of people?' });
    assert.match(await ask.textContent(), /This deletes its 3 items/);
    await ask.getByRole('button', { name: 'Delete 3 items and replace' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 2 items from two.csv.' }).waitFor();
    await eventually(async () => assert.equal(await rows.count(), 3));
    assert.match(await rows.nth(1).textContent(), /Ada Lovelace met Babbage/);

    // The downloads hold what the page shows.
    const href = (format) => page.getByRole('link', { name: `Download people as ${format}` }).getAttribute('href');
    const jsonl = await page.request.get(await href('JSONL'));
    assert.equal(jsonl.status(), 200);
    const exported = (await jsonl.text()).trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(
      exported.map((row) => row.input.passage),
      ['Ada Lovelace met Babbage', 'Marie Curie in Paris'],
    );
    const csv = await page.request.get(await href('CSV'));
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /^passage,expected/);
    assert.deepEqual(problems, []);
  });

  test('a viewer browses a dataset without any upload or create control', async () => {
    const project = s.project();
    const { page, problems } = await s.pageAs('victor');
    await page.goto(`/projects/${project.id}/datasets`);
    await page.getByRole('link', { name: s.stack.seeded.dataset }).click();
    await page.getByRole('table').waitFor();
    assert.equal(await page.getByLabel('File (.jsonl or .csv)').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Upload' }).count(), 0);
    assert.equal(await page.getByRole('region', { name: 'Upload items' }).count(), 0);
    await page.getByRole('link', { name: `Download ${s.stack.seeded.dataset} as CSV` }).waitFor();
    await s.check(page, problems, 'dataset-viewer');
    await page.goto(`/projects/${project.id}/datasets`);
    await page.getByRole('table').waitFor();
    assert.equal(await page.getByRole('button', { name: 'New dataset' }).count(), 0);
  });
});
