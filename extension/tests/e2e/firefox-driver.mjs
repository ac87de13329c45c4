// Headless Firefox ESR with the extension: puppeteer-core over WebDriver BiDi, the extension
// installed as a temporary add-on with a pinned moz-extension UUID; arXiv pages answered from
// the fixtures so nothing reaches the internet.
import puppeteer from 'puppeteer-core';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR, fixtureFor } from './env.mjs';

export async function launchFirefox(extensionDir = EXTENSION_DIR) {
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8'));
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
  try {
    await browser.installExtension(extensionDir);
  } catch (error) {
    await browser.close().catch(() => {});
    throw error;
  }
  const open = async (url, viewport, { intercept = false } = {}) => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${url}: ${error.message}`));
    await page.setViewport(viewport);
    if (intercept) {
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
  return {
    name: 'firefox',
    openExtensionPage: (path, viewport) => open(`moz-extension://${uuid}/${path}`, viewport),
    openArxivPage: (url, viewport) => open(url, viewport, { intercept: true }),
    close: () => browser.close().catch(() => {}),
  };
}

/** The driver named by BROWSER (chromium, the default, or firefox). */
export async function launchBrowser(name = process.env.BROWSER ?? 'chromium', extensionDir = EXTENSION_DIR) {
  if (name === 'firefox') return launchFirefox(extensionDir);
  const { launchChromium } = await import('./chromium-driver.mjs');
  return launchChromium(extensionDir);
}
