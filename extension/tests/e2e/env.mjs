// What the e2e scripts share: settings from the environment (set by the pytest harness),
// the server's own view of the data (to compare the UI with), fixtures and artifacts.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = resolve(here, '../../src');
export const FIXTURES_DIR = resolve(here, '../fixtures');

/**
 * The browsers load a test copy of src/ that carries test-hooks.json (lib/test-hooks.js): only
 * there does the popup take the page it describes from ?url= (a popup opened as a tab would
 * otherwise describe itself). src/ and the packaged zips never carry the file.
 */
function testCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'paperfeed-ext-'));
  cpSync(SOURCE_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'test-hooks.json'), `${JSON.stringify({ popupUrl: true })}\n`);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
export const EXTENSION_DIR = testCopy();

export function settingsFromEnv() {
  const serverUrl = process.env.PAPERFEED_URL;
  const token = process.env.PAPERFEED_TOKEN;
  if (!serverUrl || !token) throw new Error('PAPERFEED_URL and PAPERFEED_TOKEN must be set (the pytest harness sets them)');
  const artifacts = resolve(process.env.ARTIFACTS_DIR ?? 'test-artifacts/extension');
  mkdirSync(artifacts, { recursive: true });
  return { serverUrl, token, artifacts, closedPort: process.env.CLOSED_PORT ?? '9' };
}

/** The fixture page arXiv would serve for a URL (abs pages of the fixture paper, listing pages). */
export function fixtureFor(url) {
  const { pathname } = new URL(url);
  let match = /^\/(?:abs|html)\/(\d{4}\.\d{4,5})(?:v\d+)?\/?$/.exec(pathname);
  if (match) return readFileSync(join(FIXTURES_DIR, `arxiv-abs-${match[1]}.html`), 'utf8');
  match = /^\/list\/([^/]+)\/new\/?$/.exec(pathname);
  if (match) return readFileSync(join(FIXTURES_DIR, `arxiv-list-${match[1]}-new.html`), 'utf8');
  // The real saved listing page (README.md): the same page for each kind of listing URL.
  if (/^\/list\/astro-ph\/(pastweek|recent|2024-11)\/?$/.test(pathname)) {
    return readFileSync(join(FIXTURES_DIR, 'arxiv-list-astro-ph-pastweek-2024-11.html'), 'utf8');
  }
  return null;
}

/** A direct API call (not through the browser), to check the UI against the server. */
export async function serverGet(settings, path) {
  const response = await fetch(`${settings.serverUrl}${path}`, { headers: { Authorization: `Bearer ${settings.token}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function allServerMatches(settings) {
  const items = [];
  let total = Infinity;
  while (items.length < total) {
    const page = await serverGet(settings, `/api/papers?limit=100&offset=${items.length}`);
    total = page.total;
    if (!page.items.length) break;
    items.push(...page.items);
  }
  return items;
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

export async function until(what, probe, { timeout = 15000, interval = 200 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export const clean = (text) => String(text ?? '').replace(/\s+/g, ' ').trim();

/**
 * The ending every e2e script shares: run `work`, close the browser the script holds open (if
 * any), and exit non-zero with the error's stack when anything failed.
 */
export async function runScript(work, driver = null) {
  let exitCode = 0;
  try {
    await work();
  } catch (error) {
    console.error(error?.stack ?? error);
    exitCode = 1;
  } finally {
    await driver?.close();
  }
  process.exit(exitCode);
}
