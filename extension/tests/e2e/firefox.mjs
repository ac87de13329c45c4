// The core flow in headless Firefox ESR: puppeteer-core over WebDriver BiDi, the extension
// installed as a temporary add-on with a pinned moz-extension UUID.
import puppeteer from 'puppeteer-core';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR, fixtureFor, settingsFromEnv } from './env.mjs';
import { runFlow } from './flow.mjs';

const settings = settingsFromEnv();
const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
const addonId = manifest.browser_specific_settings.gecko.id;
const uuid = randomUUID();

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
  headless: true,
  args: ['--remote-allow-system-access'],
  extraPrefsFirefox: {
    'extensions.webextensions.uuids': JSON.stringify({ [addonId]: uuid }),
    'xpinstall.signatures.required': false,
    'extensions.experiments.enabled': false,
  },
});
let exitCode = 0;
try {
  await browser.installExtension(EXTENSION_DIR);
  const open = async (url, viewport, { intercept = false } = {}) => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${url}: ${error.message}`));
    await page.setViewport(viewport);
    if (intercept) {
      // arXiv pages come from the fixtures; nothing reaches the internet.
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (!/^https?:\/\/(www\.)?arxiv\.org\//.test(request.url())) return request.continue();
        const body = fixtureFor(request.url());
        return request.respond(body ? { status: 200, contentType: 'text/html; charset=utf-8', body }
          : { status: 404, contentType: 'text/plain', body: 'not in the fixtures' });
      });
    }
    // goto on moz-extension:// pages may never report completion: bounded wait, then the flow waits for content.
    await page.goto(url, { timeout: 2500 }).catch(() => {});
    return page;
  };
  const driver = {
    name: 'firefox',
    openExtensionPage: (path, viewport) => open(`moz-extension://${uuid}/${path}`, viewport),
    openArxivPage: (url, viewport) => open(url, viewport, { intercept: true }),
  };
  const result = await runFlow(driver, settings);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  console.error(error?.stack ?? error);
  exitCode = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(exitCode);
