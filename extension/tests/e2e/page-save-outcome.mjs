// Saves from arXiv's own pages while Zotero misbehaves (BROWSER: chromium or firefox): one from a
// mark on the real saved listing page, one from the abstract page's box. Each must show the
// server's outcome (EXPECT_STATE: queued or failed; EXPECT_MESSAGE, a regular expression, for a
// failure). A queued save offers no retry; with QUEUED_FLAG set the script writes that file (the
// test makes Zotero answer again and lets the server push) and waits, without a click, for both
// to turn into "In Zotero ✓". Every state each widget passed through is recorded in the page, so
// a red "Retry save" in between is seen. With RETRY_EXPECT the retry buttons are clicked.
import { writeFileSync } from 'node:fs';
import { check, clean, serverGet, settingsFromEnv, until, runScript } from './env.mjs';
import { launchBrowser } from './firefox-driver.mjs';
import { ABS_ID, connect, waitFor } from './flow.mjs';

const WIDE = { width: 1100, height: 800 };
const settings = settingsFromEnv();
const expectState = process.env.EXPECT_STATE;
const expectMessage = new RegExp(process.env.EXPECT_MESSAGE ?? '.', 'i');
const driver = await launchBrowser();

/** Record every (state, red button) a widget under ``root`` shows, from now on (main world, plain DOM). */
async function watch(page, root) {
  await page.evaluate((selector) => {
    const box = document.querySelector(selector);
    const status = box.querySelector('.paperfeed-status');
    const button = box.querySelector('.paperfeed-save');
    const seen = [];
    const note = () => {
      const entry = `${status.dataset.state}${button.classList.contains('paperfeed-failed') ? '+red' : ''}`;
      if (seen.at(-1) !== entry) seen.push(entry);
    };
    note();
    new MutationObserver(note).observe(box, { subtree: true, attributes: true, childList: true, characterData: true });
    globalThis.__paperfeedSeen = { ...(globalThis.__paperfeedSeen ?? {}), [selector]: seen };
  }, root);
}

const widget = (page, root) => page.evaluate((selector) => {
  const box = document.querySelector(selector);
  const button = box.querySelector('.paperfeed-save');
  const status = box.querySelector('.paperfeed-status');
  return { state: status.dataset.state, status: status.textContent, tooltip: status.title, button: button.textContent, disabled: button.disabled,
    red: button.classList.contains('paperfeed-failed'), seen: globalThis.__paperfeedSeen?.[selector] ?? [] };
}, root);

async function clickAndWait(page, root) {
  await page.click(`${root} .paperfeed-save`);
  await until(`${root}: the save answered`, async () => {
    const state = (await widget(page, root)).state;
    return state && state !== 'saving' && state !== 'new' ? state : null;
  }, { timeout: 60000 });
  const shown = await widget(page, root);
  return { ...shown, status: clean(shown.status), button: clean(shown.button) };
}

function checkOutcome(where, outcome) {
  check(outcome.state === expectState, `${where}: ${outcome.state} (${outcome.status}), expected ${expectState}`);
  if (expectState === 'queued') {
    check(outcome.button === 'Queued…' && outcome.disabled && !outcome.red, `${where}: queued offers no retry (${JSON.stringify(outcome)})`);
    check(/^queued: paperfeed retries by itself/.test(outcome.status), `${where}: the line says queued: ${outcome.status}`);
    // The abstract page's box says why; a listing line keeps it short, with the reason as its tooltip.
    const why = where === 'listing page' ? outcome.tooltip : outcome.status;
    check(expectMessage.test(why), `${where}: the reason is given: "${why}" matches ${expectMessage}`);
  } else {
    check(outcome.button === 'Retry save' && !outcome.disabled && outcome.red, `${where}: failed offers a red retry (${JSON.stringify(outcome)})`);
    check(expectMessage.test(outcome.status), `${where}: "${outcome.status}" matches ${expectMessage}`);
  }
}

await runScript(async () => {
  const { ok, text: connected } = await connect(driver, settings);
  check(ok, `connected: ${connected}`);

  const listing = await driver.openArxivPage('https://arxiv.org/list/astro-ph/pastweek?show=1000', WIDE);
  await waitFor(listing, '#dlpage dl > dt');
  await until('real listing marks', () => listing.evaluate(() => document.documentElement.dataset.paperfeedMarked), { timeout: 30000 });
  const listId = await listing.evaluate(() => document.querySelector('.paperfeed-mark[data-status="new"] .paperfeed-save')
    ?.closest('.paperfeed-mark').dataset.id ?? null);
  check(listId, 'a new match with a save button on the real listing page');
  const listRoot = `.paperfeed-mark[data-id="${listId}"]`;
  await listing.evaluate((s) => document.querySelector(s).scrollIntoView({ block: 'center' }), listRoot);
  await watch(listing, listRoot);

  const abs = await driver.openArxivPage(`https://arxiv.org/abs/${ABS_ID}`, WIDE);
  await waitFor(abs, '.paperfeed-abs .paperfeed-save');
  const absRoot = '.paperfeed-abs';
  await watch(abs, absRoot);

  const outcomes = { listing: await clickAndWait(listing, listRoot), abs: await clickAndWait(abs, absRoot) };
  checkOutcome('listing page', outcomes.listing);
  checkOutcome('abstract page', outcomes.abs);
  await listing.screenshot({ path: `${settings.artifacts}/${driver.name}-arxiv-listing-save-${expectState}.png` });
  await abs.screenshot({ path: `${settings.artifacts}/${driver.name}-arxiv-abs-save-${expectState}.png` });

  const settled = {};
  if (process.env.QUEUED_FLAG) {
    writeFileSync(process.env.QUEUED_FLAG, JSON.stringify([listId, ABS_ID]));
    for (const [name, page, root] of [['listing', listing, listRoot], ['abs', abs, absRoot]]) {
      await until(`${name}: the queued save settles by itself`, async () => (await widget(page, root)).state !== 'queued',
        { timeout: 150000, interval: 500 });
      const shown = await widget(page, root);
      settled[name] = { ...shown, status: clean(shown.status), button: clean(shown.button) };
      check(shown.state === 'saved' && clean(shown.button) === 'In Zotero ✓' && shown.disabled, `${name}: settled as In Zotero ✓ (${JSON.stringify(shown)})`);
      check(!shown.seen.some((s) => s.startsWith('failed') || s.endsWith('+red')), `${name}: never a failure or red retry on the way: ${shown.seen}`);
    }
    await listing.screenshot({ path: `${settings.artifacts}/${driver.name}-arxiv-listing-save-settled.png` });
    await abs.screenshot({ path: `${settings.artifacts}/${driver.name}-arxiv-abs-save-settled.png` });
  }
  const retried = {};
  if (process.env.RETRY_EXPECT) { // the fault is used up: Retry save now saves
    for (const [name, page, root] of [['listing', listing, listRoot], ['abs', abs, absRoot]]) {
      retried[name] = await clickAndWait(page, root);
      check(retried[name].state === process.env.RETRY_EXPECT && retried[name].button === 'In Zotero ✓',
        `${name}: retry: ${JSON.stringify(retried[name])}`);
    }
  }
  const inLibrary = {};
  for (const id of [listId, ABS_ID]) inLibrary[id] = (await serverGet(settings, `/api/papers/${encodeURIComponent(id)}`)).in_library;
  process.stdout.write(`${JSON.stringify({ browser: driver.name, ids: { listing: listId, abs: ABS_ID }, outcomes, settled, retried, in_library: inLibrary })}\n`);
}, driver);
