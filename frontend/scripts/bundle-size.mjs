// The first-load JavaScript (the entry chunk and the chunks it imports
// statically, as index.html's modulepreload links list them), gzipped.
// Fails over the budget: pages and charts must stay lazy-loaded.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 300;
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

let html;
try {
  html = readFileSync(join(DIST, 'index.html'), 'utf8');
} catch {
  console.error(`No build in ${DIST}: run \`npm run build\` first.`);
  process.exit(1);
}
const scripts = [
  ...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g),
].map((match) => match[1]);
if (!scripts.some((src) => /\/entry-[^/]+\.js$/.test(src))) {
  console.error('index.html loads no entry chunk (assets/entry-*.js).');
  process.exit(1);
}
let total = 0;
for (const src of new Set(scripts)) {
  const file = join(DIST, 'assets', src.split('/assets/')[1] ?? '');
  const size = gzipSync(readFileSync(file)).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(8)} KB gzip  ${src}`);
}
const verdict = total / 1024 <= BUDGET_KB ? 'ok' : 'OVER BUDGET';
console.log(
  `${(total / 1024).toFixed(1).padStart(8)} KB gzip  first load (budget ${BUDGET_KB} KB): ${verdict}`,
);
if (verdict !== 'ok') process.exit(1);
