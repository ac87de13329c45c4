// The core user flow, shared by the Chromium (playwright-core) and Firefox (puppeteer-core) runs.
// ``driver`` opens pages: openExtensionPage(path, viewport) and openArxivPage(url, viewport),
// returning page objects with the API both libraries share (evaluate, click, type, screenshot).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { allServerMatches, check, clean, serverGet, until } from './env.mjs';

const POPUP = { width: 460, height: 760 };
const WIDE = { width: 1100, height: 800 };
export const ABS_ID = '2509.19228';
export const ABS_TITLE = 'CompLLM: Compression for Long Context Q&A';
// Days of the real listing page the harness ranked a few papers for (tests/browser/harness.py).
const REAL_LISTING_DAYS = ['2024-11-22', '2024-11-20'];

async function waitFor(page, selector, timeout = 15000) {
  await until(`${selector}`, () => page.evaluate((s) => Boolean(document.querySelector(s)), selector), { timeout });
}

async function text(page, selector) {
  return page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
}

async function badge(page) {
  return page.evaluate(() => (globalThis.browser ?? globalThis.chrome).action.getBadgeText({}));
}

async function setField(page, selector, value) {
  await page.evaluate(({ s, v }) => {
    const input = document.querySelector(s);
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, { s: selector, v: value });
}

/** Options page: enter the server URL and token, save, and return the page and its result. */
export async function connect(driver, settings) {
  const options = await driver.openExtensionPage('options/options.html', { width: 720, height: 560 });
  await waitFor(options, 'body[data-ready="true"]');
  await setField(options, '#server-url', settings.serverUrl);
  await setField(options, '#token', settings.token);
  await options.evaluate(() => { document.querySelector('#result').dataset.ok = ''; }); // no stale answer
  await options.click('#save');
  await until('connection result', () => options.evaluate(() => ['true', 'false'].includes(document.querySelector('#result')?.dataset.ok)));
  const ok = await options.evaluate(() => document.querySelector('#result').dataset.ok) === 'true';
  return { options, ok, text: clean(await text(options, '#result')) };
}

/** Click "Save to Zotero" on a popup card and wait for the outcome; returns {state, message}. */
export async function saveFromPopup(popup, id, { keyboard = false } = {}) {
  const card = `#list > li.card[data-id="${id}"]`;
  if (keyboard) { // focus the paper, then its key: s
    await popup.focus(`${card} .card-title`);
    await popup.keyboard.press('s');
  } else {
    await popup.click(`${card} button.save`);
  }
  const state = await until('save result', () => popup.evaluate((s) => {
    const value = document.querySelector(`${s} .save-status`).dataset.state;
    return value && value !== 'saving' ? value : null;
  }, card), { timeout: 60000 });
  return { state, message: clean(await text(popup, `${card} .save-status`)), button: clean(await text(popup, `${card} button.save`)) };
}

/** Computed font sizes (px) of body and of the smallest text that matters on an extension page. */
export async function fontSizes(page, selectors) {
  return page.evaluate((list) => {
    const px = (node) => (node ? parseFloat(getComputedStyle(node).fontSize) : null);
    const out = { body: px(document.body) };
    for (const s of list) out[s] = px(document.querySelector(s));
    return out;
  }, selectors);
}

/** Readable type: body text at least 13 px, secondary text at least 12 px (Chromium shrinks body to 75 %). */
export async function checkReadable(page, where, selectors = []) {
  const sizes = await fontSizes(page, selectors);
  check(sizes.body >= 13, `${where}: body font ${sizes.body}px >= 13px`);
  for (const s of selectors) check(sizes[s] === null || sizes[s] >= 12, `${where}: ${s} font ${sizes[s]}px >= 12px`);
  return sizes;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on a page (or only the given selectors of it, on arXiv's own pages): no serious or
 * critical violation. Returns the ids of the lesser ones, for the log.
 */
export async function checkAccessibility(page, where, include = null) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (selectors) => {
    const context = selectors ? { include: selectors.map((s) => [s]) } : document;
    const found = await globalThis.axe.run(context, { resultTypes: ['violations'] });
    return found.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, include);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, `${where}: axe-core found ${JSON.stringify(bad)}`);
  return violations.map((v) => `${v.id} (${v.impact})`);
}

export { POPUP, waitFor, text };

export async function runFlow(driver, settings, log = console.error) {
  const shot = (name) => join(settings.artifacts, `${driver.name}-${name}.png`);
  const result = { browser: driver.name, saved: [], dismissed_and_undone: null, screenshots: [] };
  const screenshot = async (page, name, options = {}) => {
    await page.screenshot({ path: shot(name), ...options });
    result.screenshots.push(shot(name));
  };

  log('popup before setup: not configured');
  const unconfigured = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(unconfigured, '.state-not_configured button');
  const setupText = clean(await text(unconfigured, '.state-not_configured'));
  check(setupText.includes('paperfeed config show --reveal-token') && !setupText.includes('`'), `setup guidance: ${setupText}`);
  result.axe = { popup_not_configured: await checkAccessibility(unconfigured, 'popup (not configured)') };
  result.fonts = { popup_unconfigured: await checkReadable(unconfigured, 'popup (not configured)', ['.state p']) };
  await screenshot(unconfigured, 'popup-not-configured');
  await unconfigured.close();

  log('options: connect to the server');
  const { options, ok: connected, text: optionsText } = await connect(driver, settings);
  check(connected, `options test failed: ${optionsText}`);
  check(/Token accepted/.test(optionsText), `options say the token works: ${optionsText}`);
  check(!optionsText.includes(settings.token), 'the token is never shown back');
  result.fonts.options = await checkReadable(options, 'options', ['label', '.hint', '#result p', 'input']);
  result.axe.options = await checkAccessibility(options, 'options');
  await screenshot(options, 'options');

  const matches = await allServerMatches(settings);
  check(matches.length > 0, 'the seeded server has matches for the day');
  const expectedNew = matches.filter((m) => m.status === 'new').length;
  log(`server: ${matches.length} matches, ${expectedNew} new`);
  await until(`badge shows ${expectedNew}`, async () => (await badge(options)) === (expectedNew > 99 ? '99+' : String(expectedNew)));

  log('popup: the ranked list');
  let popup = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(popup, 'body[data-ready="true"]');
  const shown = await popup.evaluate(() => [...document.querySelectorAll('#list > li.card')].map((card) => ({
    id: card.dataset.id, title: card.querySelector('.card-title').textContent, score: card.querySelector('.score').textContent,
  })));
  const expectedOrder = [...matches].sort((a, b) => a.rank - b.rank);
  check(shown.length === matches.length, `popup lists every match (${shown.length} of ${matches.length})`);
  check(shown.map((s) => s.id).join() === expectedOrder.map((m) => m.paper.id).join(), 'popup lists them best first');
  for (const [i, card] of shown.entries()) {
    check(card.title === clean(expectedOrder[i].paper.title), `title is literal text: ${card.title}`);
  }
  check(await popup.evaluate(() => document.querySelectorAll('#list script, #list img, #list iframe').length === 0), 'no markup from strings');
  // The sample library has tags and collections: the top cards show the suggestions.
  const suggested = await popup.evaluate(() => [...document.querySelectorAll('#list > li.card')].slice(0, 3).map((card) => ({
    tags: [...card.querySelectorAll('.chip')].map((chip) => chip.dataset.tag),
    collection: card.querySelector('.actions select')?.selectedOptions[0]?.textContent ?? '',
  })));
  for (const [i, card] of suggested.entries()) {
    check(card.tags.length > 0, `card ${i + 1} shows suggested tags`);
    check(card.collection && card.collection !== 'No collection', `card ${i + 1} shows a suggested collection (${card.collection})`);
  }
  result.suggested = suggested;
  result.fonts.popup = await checkReadable(popup, 'popup list', ['.authors', '.reason', '.meta', 'button.save', '.chip-input', 'select']);
  result.axe.popup = await checkAccessibility(popup, 'popup list');
  await screenshot(popup, 'popup');
  if (driver.colorScheme) {
    await driver.colorScheme(popup, 'dark');
    result.axe.popup_dark = await checkAccessibility(popup, 'popup list, dark');
    await screenshot(popup, 'popup-dark');
    await driver.colorScheme(popup, 'light');
  }

  log('popup: keyboard');
  const focusedCard = () => popup.evaluate(() => document.activeElement?.closest('li.card')?.dataset.id ?? null);
  await popup.focus('#list > li.card .card-title');
  check(await focusedCard() === expectedOrder[0].paper.id, 'focus on the first paper');
  await popup.keyboard.press('j');
  check(await focusedCard() === expectedOrder[1].paper.id, 'j moves to the next paper');
  await popup.keyboard.press('ArrowDown');
  check(await focusedCard() === expectedOrder[2].paper.id, 'ArrowDown moves to the next paper');
  await popup.keyboard.press('k');
  await popup.keyboard.press('ArrowUp');
  check(await focusedCard() === expectedOrder[0].paper.id, 'k and ArrowUp move back');
  await popup.keyboard.press('/');
  check(await popup.evaluate(() => document.activeElement?.id) === 'filter', '/ goes to the filter');
  await popup.keyboard.type('zzzz-no-such-paper');
  check(await popup.evaluate(() => [...document.querySelectorAll('#list > li.card')].every((c) => c.hidden)), 'the filter hides every card');
  await popup.keyboard.press('Escape');
  check(await popup.evaluate(() => document.getElementById('filter').value === '' && [...document.querySelectorAll('#list > li.card')].every((c) => !c.hidden)),
    'Escape clears the filter');
  const unnamed = await popup.evaluate(() => [...document.querySelectorAll('button, a, input, select, summary')]
    .filter((n) => !n.hidden && !(n.getAttribute('aria-label') || n.textContent.trim() || n.labels?.length || n.title)).length);
  check(unnamed === 0, `every control has an accessible name (${unnamed} without)`);
  await popup.focus('#filter');
  await popup.keyboard.press('Tab');
  const focused = await popup.evaluate(() => document.activeElement?.className);
  check(focused === 'card-title', `Tab from the filter reaches the first paper's title (got ${focused})`);
  await until('badge cleared once seen', async () => (await badge(popup)) === '');

  log('popup: filter');
  const wordsOf = (m) => new Set(clean(m.paper.title).toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 4));
  const target = expectedOrder.find((m) => [...wordsOf(m)].some((w) => matches.filter((o) => clean(o.paper.title).toLowerCase().includes(w)).length < matches.length)) ?? expectedOrder[0];
  const word = [...wordsOf(target)].sort((a, b) => matches.filter((o) => clean(o.paper.title).toLowerCase().includes(a)).length
    - matches.filter((o) => clean(o.paper.title).toLowerCase().includes(b)).length)[0];
  await popup.type('#filter', word);
  const visible = await popup.evaluate(() => [...document.querySelectorAll('#list > li.card')].filter((c) => !c.hidden).map((c) => c.dataset.id));
  check(visible.includes(target.paper.id), `filter "${word}" keeps ${target.paper.id}`);
  check(visible.length < matches.length || matches.length === 1, `filter "${word}" hides others`);
  check(/of/.test(await text(popup, '#count')) || visible.length === matches.length, 'count says how many are shown');
  await setField(popup, '#filter', '');

  log('popup: save with an added tag');
  const fresh = expectedOrder.filter((m) => m.status === 'new' && m.paper.id !== ABS_ID);
  check(fresh.length >= 2, 'two new matches to save and dismiss');
  const toSave = fresh[0].paper.id;
  const card = `#list > li.card[data-id="${toSave}"]`;
  await popup.type(`${card} .chip-input`, 'paperfeed-e2e');
  await popup.keyboard.press('Enter');
  await waitFor(popup, `${card} .chip[data-tag="paperfeed-e2e"]`);
  const saved = await saveFromPopup(popup, toSave, { keyboard: true });
  check(saved.state === 'saved', `popup save: ${saved.state} (${saved.message})`);
  result.saved.push({ id: toSave, tags: [...(fresh[0].tags ?? []), 'paperfeed-e2e'] });
  const savedDetail = await serverGet(settings, `/api/papers/${encodeURIComponent(toSave)}`);
  check(savedDetail.in_library === true, `server knows ${toSave} is in the library now`);
  await screenshot(popup, 'popup-saved');

  log('popup: dismiss and undo');
  const toDismiss = fresh[1].paper.id;
  const dcard = `#list > li.card[data-id="${toDismiss}"]`;
  await popup.click(`${dcard} button.dismiss`);
  await waitFor(popup, `${dcard}.dismissed`);
  check((await serverGet(settings, `/api/papers/${encodeURIComponent(toDismiss)}`)).status === 'dismissed', 'server recorded the dismissal');
  await popup.click(`${dcard} button.undo`);
  await waitFor(popup, `${dcard}[data-status="new"]:not(.dismissed)`);
  check((await serverGet(settings, `/api/papers/${encodeURIComponent(toDismiss)}`)).status === 'new', 'server recorded the undo');
  result.dismissed_and_undone = toDismiss;
  await popup.close();

  log('arXiv abs page: the popup leads with this paper');
  const absUrl = `https://arxiv.org/abs/${ABS_ID}v1`;
  const absPage = await driver.openArxivPage(absUrl, WIDE);
  await waitFor(absPage, 'h1.title');
  // The content script puts the paper's score, reason and a save button under the title.
  await waitFor(absPage, '.paperfeed-abs .paperfeed-save');
  const absMatch = matches.find((m) => m.paper.id === ABS_ID) ?? null;
  const absBox = await absPage.evaluate(() => ({
    score: document.querySelector('.paperfeed-abs .paperfeed-score')?.textContent ?? '',
    reason: document.querySelector('.paperfeed-abs .paperfeed-reason')?.textContent ?? '',
    button: document.querySelector('.paperfeed-abs .paperfeed-save')?.textContent ?? '',
    afterTitle: document.querySelector('h1.title').nextElementSibling?.classList.contains('paperfeed-abs') ?? false,
  }));
  check(absBox.afterTitle, 'the paperfeed box sits under the title');
  check(absBox.button === 'Save to Zotero', `abs page offers a save (got ${absBox.button})`);
  if (absMatch) {
    check(absBox.score === `paperfeed ${Math.round(absMatch.score * 100)}`, `abs page score ${absBox.score}`);
    check(clean(absBox.reason) === clean(absMatch.reason), `abs page reason: ${absBox.reason}`);
  } else {
    check(/Not among your ranked matches/.test(absBox.reason), `abs page says it is not a match: ${absBox.reason}`);
  }
  result.abs_page = { match: Boolean(absMatch), ...absBox };
  result.axe.abs_page = await checkAccessibility(absPage, 'abs page box', ['.paperfeed-abs']);
  await screenshot(absPage, 'arxiv-abs');
  popup = await driver.openExtensionPage(`popup/popup.html?url=${encodeURIComponent(absUrl)}`, POPUP);
  await waitFor(popup, '#this-paper .library-flag');
  check(clean(await text(popup, '#this-paper .card-title')) === ABS_TITLE, 'this paper shows the title literally');
  const stray = await popup.evaluate(() => [...document.querySelectorAll('#this-paper > *')]
    .filter((node) => ['null', 'undefined', '[object Object]'].includes(node.textContent.trim())).length);
  check(stray === 0, 'no "null"/"undefined" rendered');
  const wasInLibrary = await popup.evaluate(() => document.querySelector('#this-paper .library-flag').dataset.inLibrary);
  check(wasInLibrary === 'false', 'the abs paper is not in the library yet');
  await screenshot(popup, 'popup-this-paper');
  await popup.click('#this-paper button.save');
  const absState = await until('this-paper save', () => popup.evaluate(() => {
    const state = document.querySelector('#this-paper .save-status').dataset.state;
    return state && state !== 'saving' ? state : null;
  }), { timeout: 60000 });
  check(absState === 'saved', `this-paper save: ${absState} (${await text(popup, '#this-paper .save-status')})`);
  result.saved.push({ id: ABS_ID, tags: null });
  await popup.click('#this-paper details.bibtex-box summary');
  await until('BibTeX shown', async () => /@\w+\{/.test(await text(popup, '#this-paper pre.bibtex')));
  await popup.click('#this-paper button.copy-bibtex');
  await until('copy result', async () => clean(await text(popup, '#this-paper .copy-status')));
  log(`copy: ${clean(await text(popup, '#this-paper .copy-status'))}`);
  await popup.close();

  log('arXiv PDF: the popup works from the URL alone, and knows it is saved now');
  popup = await driver.openExtensionPage(`popup/popup.html?url=${encodeURIComponent(`https://arxiv.org/pdf/${ABS_ID}v1`)}`, POPUP);
  await waitFor(popup, '#this-paper .library-flag');
  check(await popup.evaluate(() => document.querySelector('#this-paper .library-flag').dataset.inLibrary) === 'true', 'PDF popup: in library');
  check(await popup.evaluate(() => document.querySelector('#this-paper button.save').disabled), 'save is done for a paper in the library');
  await screenshot(popup, 'popup-pdf');
  await popup.close();

  log('arXiv listing page: badges and inline save');
  const listing = await driver.openArxivPage('https://arxiv.org/list/cs.CL/new', WIDE);
  await waitFor(listing, '#dlpage dl > dt');
  const listed = await listing.evaluate(() => [...document.querySelectorAll('#dlpage dl > dt a[title="Abstract"]')].map((a) => a.id));
  const current = await allServerMatches(settings);
  const expectedMarks = listed.filter((id) => current.some((m) => m.paper.id === id));
  check(expectedMarks.length > 0, 'the listing fixture has papers that match');
  await until('listing marks', () => listing.evaluate(() => document.documentElement.dataset.paperfeedMarked));
  const marks = await listing.evaluate(() => [...document.querySelectorAll('.paperfeed-mark')].map((m) => m.dataset.id));
  check(marks.join() === expectedMarks.join(), `badges on exactly the matching papers (${marks.length}/${listed.length})`);
  const savedIds = new Set(result.saved.map((s) => s.id));
  const listSave = current.find((m) => expectedMarks.includes(m.paper.id) && m.status === 'new' && !savedIds.has(m.paper.id));
  check(listSave, 'an unsaved match on the listing page');
  await listing.evaluate((id) => document.querySelector(`#dlpage dt [data-id="${id}"]`).scrollIntoView({ block: 'center' }), listSave.paper.id);
  await screenshot(listing, 'arxiv-listing');
  await listing.click(`.paperfeed-mark[data-id="${listSave.paper.id}"] .paperfeed-save`);
  const listState = await until('listing save', () => listing.evaluate((id) => {
    const state = document.querySelector(`.paperfeed-mark[data-id="${id}"] .paperfeed-status`).dataset.state;
    return state && state !== 'saving' && state !== 'new' ? state : null;
  }, listSave.paper.id), { timeout: 60000 });
  check(listState === 'saved', `listing save: ${listState}`);
  result.saved.push({ id: listSave.paper.id, tags: listSave.tags ?? [] });
  await screenshot(listing, 'arxiv-listing-saved');

  log('the abs page knows the paper is in Zotero now');
  await absPage.reload();
  await waitFor(absPage, '.paperfeed-abs .paperfeed-save');
  await until('abs page shows In Zotero', async () => clean(await text(absPage, '.paperfeed-abs .paperfeed-save')) === 'In Zotero ✓');
  check(await absPage.evaluate(() => document.querySelector('.paperfeed-abs .paperfeed-save').disabled), 'no second save offered');
  await screenshot(absPage, 'arxiv-abs-saved');
  await absPage.close();

  log('real arXiv listing page (astro-ph pastweek, 397 entries): every ranked day, dismissed not offered');
  const expectedReal = [];
  for (const day of REAL_LISTING_DAYS) {
    expectedReal.push(...(await serverGet(settings, `/api/papers?date=${day}&limit=100`)).items);
  }
  check(expectedReal.length >= 4, `the seeded listing days have matches (${expectedReal.length})`);
  const real = await driver.openArxivPage('https://arxiv.org/list/astro-ph/pastweek?show=1000', WIDE);
  await waitFor(real, '#dlpage dl > dt');
  await until('real listing marks', () => real.evaluate(() => document.documentElement.dataset.paperfeedMarked), { timeout: 30000 });
  const realEntries = await real.evaluate(() => document.querySelectorAll('#dlpage dl > dt').length);
  check(realEntries === 397, `the real page has its 397 entries (${realEntries})`);
  const askedDays = await real.evaluate(() => document.documentElement.dataset.paperfeedDays);
  check(askedDays === '2024-11-22,2024-11-21,2024-11-20,2024-11-19,2024-11-18', `asked for each day of the page: ${askedDays}`);
  const realMarks = await real.evaluate(() => [...document.querySelectorAll('.paperfeed-mark')].map((m) => ({
    id: m.dataset.id, status: m.dataset.status, save: Boolean(m.querySelector('.paperfeed-save')), text: m.textContent,
  })));
  check(realMarks.map((m) => m.id).sort().join() === expectedReal.map((m) => m.paper.id).sort().join(),
    `marks on exactly the ranked papers of every day (${realMarks.map((m) => m.id)})`);
  const dismissedReal = expectedReal.filter((m) => m.status === 'dismissed').map((m) => m.paper.id);
  check(dismissedReal.length === 1, 'one seeded listing paper is dismissed');
  for (const mark of realMarks) {
    const isDismissed = dismissedReal.includes(mark.id);
    check(mark.save === !isDismissed, `${mark.id}: save button only when not dismissed`);
    if (isDismissed) check(/dismissed/.test(mark.text), `${mark.id} is shown as dismissed`);
  }
  const olderDay = expectedReal.find((m) => m.paper.id === realMarks.at(-1).id && m.status === 'new') ?? expectedReal.find((m) => m.status === 'new');
  await real.evaluate((id) => document.querySelector(`.paperfeed-mark[data-id="${id}"]`).scrollIntoView({ block: 'center' }), olderDay.paper.id);
  result.axe.listing_marks = await checkAccessibility(real, 'listing marks', ['.paperfeed-mark']);
  await screenshot(real, 'arxiv-listing-real');
  await real.click(`.paperfeed-mark[data-id="${olderDay.paper.id}"] .paperfeed-save`);
  const realState = await until('real listing save', () => real.evaluate((id) => {
    const state = document.querySelector(`.paperfeed-mark[data-id="${id}"] .paperfeed-status`).dataset.state;
    return state && state !== 'saving' && state !== 'new' ? state : null;
  }, olderDay.paper.id), { timeout: 60000 });
  check(realState === 'saved', `save from an older day of the real listing: ${realState}`);
  result.real_listing = { entries: realEntries, marks: realMarks.length, saved: olderDay.paper.id, dismissed: dismissedReal[0] };
  await real.close();

  log('a month listing (/list/astro-ph/2024-11): every weekday of the month is asked for');
  const month = await driver.openArxivPage('https://arxiv.org/list/astro-ph/2024-11', WIDE);
  await until('month listing marks', () => month.evaluate(() => document.documentElement.dataset.paperfeedMarked), { timeout: 30000 });
  const monthDays = (await month.evaluate(() => document.documentElement.dataset.paperfeedDays)).split(',');
  check(monthDays.length === 21 && monthDays.includes('2024-11-20') && monthDays.includes('2024-11-22'), `weekdays of Nov 2024: ${monthDays}`);
  const monthMarks = await month.evaluate(() => document.querySelectorAll('.paperfeed-mark').length);
  check(monthMarks === realMarks.length, `the month page marks the same papers (${monthMarks})`);
  await month.close();

  log('server stopped: the popup says how to start it');
  await setField(options, '#server-url', `http://127.0.0.1:${settings.closedPort}`);
  await options.evaluate(() => { document.querySelector('#result').dataset.ok = ''; }); // no stale answer
  await options.click('#save');
  await until('failed connection result', () => options.evaluate(() => document.querySelector('#result')?.dataset.ok === 'false'));
  check(/paperfeed serve/.test(await text(options, '#result')), 'options explain how to start the server');
  check((await options.evaluate(() => document.querySelector('#result').dataset.reason)) === 'refused', 'options: connection refused');
  popup = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(popup, '.state-unreachable');
  const downText = clean(await text(popup, '.state-unreachable'));
  check(/Nothing answers at .*connection refused/.test(downText), `popup says the connection was refused: ${downText}`);
  check((downText.match(/paperfeed serve\b/g) ?? []).length === 1, `"paperfeed serve" said once: ${downText}`);
  check(!downText.includes('`'), 'no literal backticks');
  await screenshot(popup, 'popup-unreachable');
  await popup.close();

  log('a port the browser blocks as unsafe is not called "refused"');
  await setField(options, '#server-url', 'http://127.0.0.1:6000');
  await options.evaluate(() => { document.querySelector('#result').dataset.ok = ''; }); // no stale answer
  await options.click('#save');
  await until('blocked port result', () => options.evaluate(() => document.querySelector('#result')?.dataset.ok === 'false'));
  check((await options.evaluate(() => document.querySelector('#result').dataset.reason)) === 'blocked_port', 'options: blocked port');
  check(/blocks port 6000/.test(await text(options, '#result')), 'options name the blocked port');
  popup = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(popup, '.state-unreachable[data-reason="blocked_port"]');
  check(!/refused/.test(await text(popup, '.state-unreachable')), 'a blocked port is not reported as refused');
  await screenshot(popup, 'popup-blocked-port');
  await popup.close();

  log('a wrong token: the bad-token screen, with the command that prints the right one');
  await setField(options, '#server-url', settings.serverUrl);
  await setField(options, '#token', 'not-the-token');
  await options.evaluate(() => { document.querySelector('#result').dataset.ok = ''; }); // no stale answer
  await options.click('#save');
  await until('refused token result', () => options.evaluate(() => document.querySelector('#result')?.dataset.ok === 'false'));
  popup = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(popup, '.state-unauthorized');
  const badText = clean(await text(popup, '.state-unauthorized'));
  check(badText.includes('paperfeed config show --reveal-token') && !badText.includes('`') && !/init/.test(badText),
    `bad-token guidance is true: ${badText}`);
  await screenshot(popup, 'popup-bad-token');
  return result;
}
