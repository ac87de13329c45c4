// Headless Chromium with the unpacked extension (playwright-core, the system browser), arXiv
// pages answered from the fixtures so nothing reaches the internet.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_DIR, fixtureFor } from './env.mjs';

export async function launchChromium(extensionDir = EXTENSION_DIR) {
  const profile = mkdtempSync(join(tmpdir(), 'paperfeed-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await context.route(/^https?:\/\/(www\.)?arxiv\.org\//, (route) => {
    const body = fixtureFor(route.request().url());
    return body ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body })
      : route.fulfill({ status: 404, contentType: 'text/plain', body: 'not in the fixtures' });
  });
  const worker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker', { timeout: 15000 });
  const extensionId = new URL(worker.url()).host;
  const open = async (url, viewport) => {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${url}: ${error.message}`));
    await page.setViewportSize(viewport);
    await page.goto(url);
    return page;
  };
  return {
    name: 'chromium',
    openExtensionPage: (path, viewport) => open(`chrome-extension://${extensionId}/${path}`, viewport),
    openArxivPage: (url, viewport) => open(url, viewport),
    colorScheme: (page, scheme) => page.emulateMedia({ colorScheme: scheme }),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
