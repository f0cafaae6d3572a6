// What every e2e file shares: one stack and one Chromium per file, signed-in
// contexts per user, and a retry for what the page shows a moment later.
// A file: `const s = e2eSession(); before(s.start); after(s.stop);` then
// `const { page, problems } = await s.pageAs('edith');`.
import assert from 'node:assert/strict';
import { checkPage, launch, openContext } from './browser.mjs';
import { apiAs, startStack } from './stack.mjs';

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
export const log = (line) => process.stderr.write(`# e2e: ${line}\n`);

/** Retries `check` (which throws while it does not hold) until it holds or `timeout` ms pass. */
export async function eventually(check, timeout = 20_000, every = 250) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(every);
    }
  }
}

/** Until sweep `sweepId` has completed (polling the API as `api`); its final state. */
export function completed(api, sweepId) {
  return eventually(
    async () => {
      const sweep = await api.get(`/api/sweeps/${sweepId}/`);
      assert.equal(sweep.status, 'completed', `sweep ${sweepId} is ${sweep.status}`);
      return sweep;
    },
    120_000,
    500,
  );
}

/** Signs in on /login as `username` (the page lands on the experiments). */
export async function signIn(page, username, password) {
  await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * One stack for a test file (`postgres`: in production mode, see stack.mjs):
 * `start` (in `before`) brings up runstack, seeds
 * the users and launches Chromium; `pageAs(user)` opens a page signed in as a
 * seeded user (edith editor, victor viewer, olga owner) whose console is
 * watched; `api(user)` is a REST client as that user; `stop` (in `after`)
 * closes everything.
 */
export function e2eSession({ postgres = false } = {}) {
  const session = { stack: null, browser: null, contexts: [], states: new Map(), clients: new Map() };

  session.start = async () => {
    session.stack = await startStack({ log, postgres });
    session.browser = await launch();
  };

  session.stop = async () => {
    for (const context of session.contexts) await context.close().catch(() => {});
    await session.browser?.close().catch(() => {});
    await session.stack?.stop();
  };

  session.users = () => session.stack.seeded.users;
  session.project = () => session.stack.seeded.project;

  session.api = async (username) => {
    if (!session.clients.has(username)) {
      const { password } = session.users()[username];
      session.clients.set(username, await apiAs(session.stack.baseUrl, username, password));
    }
    return session.clients.get(username);
  };

  /** A new page signed in as `username`; `expected` as in openContext. */
  session.pageAs = async (username, { expected = [] } = {}) => {
    const storageState = session.states.get(username);
    const { context, problems } = await openContext(session.browser, {
      baseUrl: session.stack.baseUrl,
      storageState,
      expected,
    });
    session.contexts.push(context);
    const page = await context.newPage();
    if (!storageState) {
      await signIn(page, username, session.users()[username].password);
      await page.waitForURL(/\/projects\/\d+\/experiments$/);
      session.states.set(username, await context.storageState());
    }
    return { page, problems, context };
  };

  session.check = checkPage;
  return session;
}
