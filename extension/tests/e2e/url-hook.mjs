// The popup's ?url= test hook is off in what users install (BROWSER: chromium or firefox): the
// production build (PROD_EXTENSION_DIR, an unpacked store zip: no test-hooks.json) opens
// popup.html?url=<an arXiv abs URL> and must not describe that paper ("This paper" stays hidden,
// while today's list works), and the test copy (src/ plus test-hooks.json) opening the same URL
// must describe it, so the check proves the switch and not a broken popup.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_DIR, check, clean, settingsFromEnv, runScript } from './env.mjs';
import { launchBrowser } from './firefox-driver.mjs';
import { ABS_ID, ABS_TITLE, POPUP, connect, waitFor } from './flow.mjs';

const settings = settingsFromEnv();
const prodDir = process.env.PROD_EXTENSION_DIR;
check(prodDir && existsSync(join(prodDir, 'manifest.json')), `PROD_EXTENSION_DIR is an unpacked build (${prodDir})`);
check(!existsSync(join(prodDir, 'test-hooks.json')) && existsSync(join(EXTENSION_DIR, 'test-hooks.json')),
  'only the test copy carries test-hooks.json');
const absUrl = `https://arxiv.org/abs/${ABS_ID}v1`;

async function popupFor(dir, label) {
  const driver = await launchBrowser(undefined, dir);
  try {
    const { ok, text } = await connect(driver, settings);
    check(ok, `${label}: connected: ${text}`);
    const popup = await driver.openExtensionPage(`popup/popup.html?url=${encodeURIComponent(absUrl)}`, POPUP);
    await waitFor(popup, 'body[data-ready="true"]', 30000);
    const shown = await popup.evaluate(async () => {
      const api = globalThis.browser ?? globalThis.chrome;
      const section = document.getElementById('this-paper');
      // What lib/test-hooks.js reads: the hook is on only when the file is there and says so.
      let hooksFile;
      let hooksAnswer;
      try {
        const response = await fetch(api.runtime.getURL('test-hooks.json'));
        const body = await response.text();
        hooksAnswer = `${response.status} ${body.slice(0, 60)}`;
        hooksFile = response.ok && JSON.parse(body)?.popupUrl === true;
      } catch (error) {
        hooksAnswer = String(error?.message ?? error);
        hooksFile = false;
      }
      return { thisPaperHidden: section.hidden, thisPaperText: section.textContent,
        thisPaperTitle: section.querySelector('.card-title')?.textContent ?? null,
        cards: document.querySelectorAll('#list > li.card').length, hooksFile, hooksAnswer,
        notice: document.getElementById('notice').hidden ? '' : document.getElementById('notice').textContent };
    });
    await popup.screenshot({ path: `${settings.artifacts}/${driver.name}-popup-url-hook-${label}.png` });
    return { ...shown, thisPaperText: clean(shown.thisPaperText).slice(0, 300), thisPaperTitle: shown.thisPaperTitle && clean(shown.thisPaperTitle) };
  } finally {
    await driver.close();
  }
}

await runScript(async () => {
  const production = await popupFor(prodDir, 'production');
  check(!production.hooksFile, `the production build has no test-hooks.json (${production.hooksAnswer})`);
  check(production.cards > 0 && !production.notice, `production popup works: ${production.cards} cards, notice "${production.notice}"`);
  check(production.thisPaperHidden && production.thisPaperTitle === null && !production.thisPaperText.includes(ABS_TITLE),
    `production popup ignores ?url=: ${JSON.stringify(production)}`);
  const testCopy = await popupFor(EXTENSION_DIR, 'test-copy');
  check(testCopy.hooksFile, 'the test copy has test-hooks.json');
  check(!testCopy.thisPaperHidden && testCopy.thisPaperTitle === ABS_TITLE, `test copy follows ?url=: ${JSON.stringify(testCopy)}`);
  process.stdout.write(`${JSON.stringify({ browser: process.env.BROWSER ?? 'chromium', production, test_copy: testCopy })}\n`);
});
