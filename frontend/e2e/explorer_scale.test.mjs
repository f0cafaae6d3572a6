// The run explorer over a 100,000-run sweep in production mode (PostgreSQL
// and Redis): scrolled a few screens at a time, how long until the rows at
// the new position are on screen, loading the next cursor page as it goes.
// Writes the figures to screenshots/explorer-100k-timing.json.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SCREENSHOTS } from './browser.mjs';
import { e2eSession, log } from './support.mjs';

const TARGET_MS = 200;
const ROW_HEIGHT = 37; // RunTable's fixed row height

/**
 * In the page: `steps` scrolls of `screens` screens each down the runs
 * region, `pause` ms apart (three screens every 100 ms is 300 rows a
 * second, faster than anyone reads); per scroll, ms from setting scrollTop
 * until a row at the new position is rendered (when the position is past
 * the rows loaded, the next page has to arrive first, and the scroll is
 * repeated once it has).
 */
function scrollTimes(page, steps, screens, pause = 100) {
  return page.evaluate(
    async ({ steps, screens, rowHeight, pause }) => {
      const region = document.querySelector('[role=region][aria-label^="Runs"]');
      const times = [];
      const frame = () => new Promise((done) => requestAnimationFrame(done));
      for (let step = 0; step < steps; step++) {
        const target = region.scrollTop + region.clientHeight * screens;
        const wanted = Math.floor(target / rowHeight) + 2; // aria-rowindex: the header is 1
        const started = performance.now();
        region.scrollTop = target;
        for (;;) {
          await frame();
          if (region.scrollTop < target - 1) region.scrollTop = target; // more rows came
          const shown = [...region.querySelectorAll('tbody tr[aria-rowindex]')].some(
            (row) => Number(row.getAttribute('aria-rowindex')) >= wanted && row.textContent.trim() !== '',
          );
          if (shown && region.scrollTop >= target - 1) break;
          if (performance.now() - started > 30_000) throw new Error(`row ${wanted} never showed`);
        }
        times.push(performance.now() - started);
        await new Promise((done) => setTimeout(done, pause));
      }
      return times;
    },
    { steps, screens, rowHeight: ROW_HEIGHT, pause },
  );
}

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { scrolls: times.length, median_ms: at(0.5), p95_ms: at(0.95), max_ms: Math.round(sorted.at(-1)) };
}

describe('the run explorer over 100,000 runs in PostgreSQL', () => {
  const s = e2eSession({ postgres: true });
  before(s.start);
  after(s.stop);

  test('scrolling shows the rows at the new position within 200 ms, sorted by id or by score', async () => {
    const big = await s.stack.seed('big-sweep', '500');
    assert.equal(big.runs, 100_000);
    log(`100,000 runs written in ${big.build_s} s`);
    const { page, problems } = await s.pageAs('edith');
    const results = {};
    for (const [name, query] of [
      ['by_id', ''],
      ['by_score_descending', '?ordering=-score'],
    ]) {
      await page.goto(`/sweeps/${big.sweep}/runs${query}`);
      await page.locator('tbody tr[aria-rowindex="2"]').waitFor();
      await scrollTimes(page, 3, 1); // warm-up: the first pages and the code paths
      const times = await scrollTimes(page, 80, 3);
      const loaded = await page.locator('tbody tr[aria-rowindex]').last().getAttribute('aria-rowindex');
      results[name] = { ...summary(times), rows_reached: Number(loaded) - 1 };
      log(`${name}: ${JSON.stringify(results[name])}`);
    }
    // A page deep in the sweep costs what the first does (keyset cursor, no OFFSET).
    const api = await s.api('edith');
    const timed = async (path) => {
      const started = performance.now();
      await api.get(path);
      return performance.now() - started;
    };
    // The cursor of a position past every run scoring above 0.5: most of the sweep.
    const deep = Buffer.from(JSON.stringify({ v: 0.5, i: 0, o: '-score' })).toString('base64url');
    const firstMs = [], deepMs = [];
    for (let i = 0; i < 5; i++) {
      firstMs.push(await timed(`/api/sweeps/${big.sweep}/runs/?ordering=-score`));
      deepMs.push(await timed(`/api/sweeps/${big.sweep}/runs/?ordering=-score&cursor=${deep}`));
    }
    const median = (xs) => Math.round([...xs].sort((a, b) => a - b)[2]);
    results.api_page_ms = { first: median(firstMs), deep: median(deepMs) };
    log(`API page of 100 runs: first ${results.api_page_ms.first} ms, deep ${results.api_page_ms.deep} ms`);
    await s.check(page, problems, 'runs-explorer-100k');
    const report = { runs: big.runs, target_ms: TARGET_MS, ...results };
    writeFileSync(join(SCREENSHOTS, 'explorer-100k-timing.json'), `${JSON.stringify(report, null, 2)}\n`);
    for (const name of ['by_id', 'by_score_descending']) {
      assert.ok(results[name].rows_reached > 2_000, `${name}: only ${results[name].rows_reached} rows reached`);
      assert.ok(results[name].p95_ms < TARGET_MS, `${name}: 95% of scrolls within ${results[name].p95_ms} ms`);
    }
  });
});
