// `npm run package`: the store builds from one command. A Firefox zip (web-ext build of src/,
// submitted to addons.mozilla.org) and a Chrome zip (the same files; its manifest without the
// Firefox-only keys, for the Chrome Web Store), both without test-only files.
//
//   node scripts/package.mjs [--source DIR] [--out DIR]     (defaults: src, dist)
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? resolve(args[at + 1]) : fallback;
};
const source = option('--source', join(root, 'src'));
const out = option('--out', join(root, 'dist'));

/** Files that exist only in test copies of the extension: never shipped. */
export const TEST_ONLY = ['test-hooks.json'];

const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8'));
const webExt = join(root, 'node_modules', 'web-ext', 'bin', 'web-ext.js');

function build(dir, filename) {
  const done = spawnSync(process.execPath, [webExt, 'build', '--source-dir', dir, '--artifacts-dir', out,
    '--filename', filename, '--overwrite-dest', '--ignore-files', ...TEST_ONLY], { encoding: 'utf8' });
  if (done.status !== 0) {
    process.stderr.write(done.stdout + done.stderr);
    throw new Error(`web-ext build failed for ${filename}`);
  }
  return join(out, filename);
}

const firefox = build(source, `paperfeed-firefox-${manifest.version}.zip`);

// Chrome: the same tree, its manifest without what only Firefox reads (background.scripts,
// browser_specific_settings); Chromium warns about those keys on the extensions page.
const staging = mkdtempSync(join(tmpdir(), 'paperfeed-chrome-'));
try {
  cpSync(source, staging, { recursive: true, filter: (path) => !TEST_ONLY.some((name) => path.endsWith(`/${name}`)) });
  const chromeManifest = structuredClone(manifest);
  delete chromeManifest.browser_specific_settings;
  if (chromeManifest.background) delete chromeManifest.background.scripts;
  writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(chromeManifest, null, 2)}\n`);
  const chrome = build(staging, `paperfeed-chrome-${manifest.version}.zip`);
  for (const path of [firefox, chrome]) if (!existsSync(path)) throw new Error(`missing ${path}`);
  process.stdout.write(`${JSON.stringify({ firefox, chrome })}\n`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
