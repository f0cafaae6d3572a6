// The real stack for the browser tests: `manage.py runstack` (simulator, web
// server, worker) in single-container SQLite mode, in a fresh data directory,
// on free ports, serving the built dashboard (frontend/dist).
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(FRONTEND, '..');
const PYTHON = process.env.PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
// The ports `make run` uses: a developer's own stack may be on them.
const TAKEN = new Set([8400, 8401, 8499]);
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;

async function freePort() {
  for (;;) {
    const port = await new Promise((done, fail) => {
      const server = createServer();
      server.unref();
      server.on('error', fail);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => done(port));
      });
    });
    if (!TAKEN.has(port)) return port;
  }
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** pid -> parent pid, pgid for every process (Linux /proc via ps). */
async function processTable() {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,pgid=']);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .map(([pid, ppid, pgid]) => ({ pid, ppid, pgid }));
}

/** The process groups of `root` and everything it started (runstack's children lead their own). */
async function groupsUnder(root) {
  const table = await processTable();
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { pid, ppid } of table) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return new Set(table.filter(({ pid }) => tree.has(pid)).map(({ pgid }) => pgid));
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies frontend/dist to `target`, again if a build replaced it meanwhile:
 * the copy's index.html names only assets the copy has.
 */
function snapshotDist(target) {
  // E2E_DIST: a build of one's own (`npx vite build --outDir ...`), so that
  // parallel work does not replace frontend/dist under a running test.
  const dist = process.env.E2E_DIST ?? join(FRONTEND, 'dist');
  for (let attempt = 0; attempt < 5; attempt++) {
    rmSync(target, { recursive: true, force: true });
    cpSync(dist, target, { recursive: true });
    const index = readFileSync(join(target, 'index.html'), 'utf8');
    const assets = [...index.matchAll(/\/assets\/([^"']+)/g)].map((m) => m[1]);
    if (assets.length > 0 && assets.every((name) => existsSync(join(target, 'assets', name)))) return target;
  }
  throw new Error('frontend/dist kept changing while it was copied (a build running?): try again');
}

/**
 * The stack in production mode: a fresh PostgreSQL database (dropped by
 * `stop`) and Redis (db 14) on the machine's services, plain HTTP on loopback.
 */
async function postgresEnv(dataDir) {
  const server = process.env.E2E_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
  const name = `pl_e2e_${process.pid}_${Date.now()}`;
  const admin = (sql) =>
    run(PYTHON, ['-c', 'import sys, psycopg; psycopg.connect(sys.argv[1], autocommit=True).execute(sys.argv[2])', `${server}/postgres`, sql]);
  await admin(`CREATE DATABASE ${name}`);
  return {
    env: {
      DATABASE_URL: `${server}/${name}`,
      REDIS_URL: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
      SECRET_KEY: `e2e-only-${name}`,
      PROMPTLOOPER_FERNET_KEYS: 'ZmRlMjU3YjVkZmE4NDQ0MWE0NjdiYWYxNzQzYmJmMjA=',
      SESSION_COOKIE_SECURE: 'false',
      CSRF_COOKIE_SECURE: 'false',
    },
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export async function startStack({ log = () => {}, postgres = false } = {}) {
  if (!existsSync(join(FRONTEND, 'dist', 'index.html'))) {
    throw new Error(
      'frontend/dist/index.html is missing: build the dashboard first (`make install` in the ' +
        'repository root, or `cd frontend && npm ci && npm run build`).',
    );
  }
  if (!existsSync(PYTHON)) {
    throw new Error(`No Python at ${PYTHON}: run \`make install\` first (or set PYTHON=...).`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'promptlooper-e2e-'));
  const dist = snapshotDist(join(dataDir, 'dist'));
  const env = {
    ...process.env,
    PROMPTLOOPER_DATA_DIR: dataDir,
    STATIC_ROOT: join(dataDir, 'static'),
    PROMPTLOOPER_ADMIN_PASSWORD: 'admin-e2e-password',
    // The project's settings, serving the snapshot of the build (e2e_settings.py).
    DJANGO_SETTINGS_MODULE: 'e2e_settings',
    PROMPTLOOPER_E2E_DIST: dist,
    PYTHONPATH: [join(FRONTEND, 'e2e'), process.env.PYTHONPATH].filter(Boolean).join(':'),
  };
  // Single-container mode: SQLite in dataDir, the ORM broker, no Redis.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'DEBUG']) delete env[name];
  const production = postgres ? await postgresEnv(dataDir) : null;
  if (production) Object.assign(env, production.env);

  const python = async (args, options = {}) => {
    const { stdout } = await run(PYTHON, args, { cwd: ROOT, env, maxBuffer: 16 << 20, ...options });
    return stdout;
  };
  const manage = (...args) => python(['manage.py', ...args]);
  const seed = async (what, ...args) => JSON.parse(await python([join(FRONTEND, 'e2e', 'seed.py'), what, ...args]));

  const started = Date.now();
  await manage('migrate', '--noinput', '--verbosity', '0');
  await manage('collectstatic', '--noinput', '--verbosity', '0');
  await manage('bootstrap', '--no-demo');
  const seeded = await seed('users');
  log(`database ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${dataDir})`);

  const webPort = await freePort();
  let simPort = await freePort();
  while (simPort === webPort) simPort = await freePort();
  const logFile = join(dataDir, 'runstack.log');
  const out = openSync(logFile, 'a');
  const stack = spawn(
    PYTHON,
    ['manage.py', 'runstack', '--port', String(webPort), '--simulator-port', String(simPort), '--mcp-port', '0'],
    { cwd: ROOT, env, detached: true, stdio: ['ignore', out, out] },
  );
  const baseUrl = `http://127.0.0.1:${webPort}`;
  const simUrl = `http://127.0.0.1:${simPort}`;
  let exited = null;
  stack.on('exit', (code, signal) => (exited = { code, signal }));
  // Interrupted or crashed before `stop`: runstack still stops its children on SIGTERM.
  const orphaned = () => {
    if (exited === null) process.kill(stack.pid, 'SIGTERM');
  };
  const interrupted = (signal) => {
    orphaned();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', orphaned);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const stop = async () => {
    process.off('exit', orphaned);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    if (exited === null) {
      const groups = await groupsUnder(stack.pid);
      // runstack stops its children itself on SIGTERM (the worker needs that order).
      process.kill(stack.pid, 'SIGTERM');
      const deadline = Date.now() + STOP_GRACE_MS;
      while ([...groups].some(groupAlive) && Date.now() < deadline) await sleep(100);
      for (const pgid of groups) {
        if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      }
    }
    if (!process.env.E2E_KEEP_DATA) {
      rmSync(dataDir, { recursive: true, force: true });
      await production?.drop();
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const text = readFileSync(logFile, 'utf8');
    if (text.includes('PromptLooper is up') && (await answers(`${baseUrl}/api/auth/session/`))) break;
    if (exited !== null || Date.now() > deadline) {
      await stop().catch(() => {});
      throw new Error(`runstack did not come up (${JSON.stringify(exited)}):\n${text.slice(-3000)}`);
    }
    await sleep(250);
  }
  log(`stack up at ${baseUrl} (simulator ${simUrl}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { baseUrl, simUrl, dataDir, seeded, seed, manage, stop, logFile };
}

/** A JSON client of the REST API as one user, with a JWT. */
export async function apiAs(baseUrl, username, password) {
  const tokenAnswer = await fetch(`${baseUrl}/api/auth/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!tokenAnswer.ok) throw new Error(`token for ${username}: ${tokenAnswer.status} ${await tokenAnswer.text()}`);
  const { access } = await tokenAnswer.json();
  const call = async (method, path, body) => {
    const answer = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${access}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text.slice(0, 2000)}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body = {}) => call('POST', path, body),
  };
}

/** Changes the simulator's settings live (POST /config), e.g. its latency. */
export async function simulatorConfig(simUrl, changes) {
  const answer = await fetch(`${simUrl}/config`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(changes),
  });
  if (!answer.ok) throw new Error(`simulator /config: ${answer.status} ${await answer.text()}`);
  return answer.json();
}
