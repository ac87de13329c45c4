// One save from the popup while Zotero misbehaves: the popup must show the server's outcome
// (EXPECT_STATE: queued or failed) with its reason (EXPECT_MESSAGE, a regular expression).
// A queued save offers no retry button; with QUEUED_FLAG set the script then writes that file
// (the test makes Zotero answer again and lets the server push) and waits, without a click,
// for the popup to show EXPECT_SETTLED ("saved": "In Zotero ✓" with its tags and collection).
import { writeFileSync } from 'node:fs';
import { launchChromium } from './chromium-driver.mjs';
import { allServerMatches, check, clean, serverGet, settingsFromEnv, until, runScript } from './env.mjs';
import { POPUP, connect, saveFromPopup, text, waitFor } from './flow.mjs';

const settings = settingsFromEnv();
const expectState = process.env.EXPECT_STATE;
const expectMessage = new RegExp(process.env.EXPECT_MESSAGE ?? '.', 'i');
const driver = await launchChromium();
await runScript(async () => {
  const { ok, text: connected } = await connect(driver, settings);
  check(ok, `connected: ${connected}`);
  const matches = (await allServerMatches(settings)).sort((a, b) => a.rank - b.rank);
  const target = matches.find((m) => m.status === 'new' && m.collection?.key) ?? matches.find((m) => m.status === 'new');
  const popup = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(popup, `#list > li.card[data-id="${target.paper.id}"]`);
  const outcome = await saveFromPopup(popup, target.paper.id);
  check(outcome.state === expectState, `save outcome ${outcome.state} (${outcome.message}), expected ${expectState}`);
  check(expectMessage.test(outcome.message), `message "${outcome.message}" matches ${expectMessage}`);
  if (expectState === 'queued') {
    check(outcome.button === 'Queued…', `a queued save offers no retry (got ${outcome.button})`);
    check(!await popup.evaluate((id) => document.querySelector(`#list > li.card[data-id="${id}"] button.save`).classList.contains('danger'), target.paper.id),
      'no red button while queued');
  } else {
    check(outcome.button === 'Retry save', `the button offers a retry (got ${outcome.button})`);
    check(await popup.evaluate((id) => document.querySelector(`#list > li.card[data-id="${id}"] button.save`).classList.contains('danger'), target.paper.id),
      'a failed save has the red retry button');
  }
  await popup.screenshot({ path: `${settings.artifacts}/chromium-popup-save-${expectState}.png` });
  let settled = null;
  if (process.env.QUEUED_FLAG) {
    writeFileSync(process.env.QUEUED_FLAG, target.paper.id);
    const card = `#list > li.card[data-id="${target.paper.id}"]`;
    settled = await until('the queued save settles by itself', () => popup.evaluate((s) => {
      const state = document.querySelector(`${s} .save-status`).dataset.state;
      return state !== 'queued' ? state : null;
    }, card), { timeout: 90000, interval: 500 });
    const line = clean(await text(popup, `${card} .save-status`));
    const button = clean(await text(popup, `${card} button.save`));
    check(settled === process.env.EXPECT_SETTLED, `settled as ${settled} (${line})`);
    check(button === 'In Zotero ✓', `button says In Zotero ✓ (got ${button})`);
    check(line.startsWith('In Zotero'), `line says In Zotero: ${line}`);
    if (target.collection?.name) check(line.includes(target.collection.name), `line names the collection ${target.collection.name}: ${line}`);
    await popup.screenshot({ path: `${settings.artifacts}/chromium-popup-save-settled.png` });
  }
  let retried = null;
  if (process.env.RETRY_EXPECT) { // the fault is gone: Retry save now saves
    retried = await saveFromPopup(popup, target.paper.id);
    check(retried.state === process.env.RETRY_EXPECT, `retry: ${retried.state} (${retried.message})`);
    check(retried.button === 'In Zotero ✓', `after the retry: ${retried.button}`);
  }
  const detail = await serverGet(settings, `/api/papers/${encodeURIComponent(target.paper.id)}`);
  process.stdout.write(`${JSON.stringify({ id: target.paper.id, outcome, settled, retried, in_library: detail.in_library, collection: target.collection ?? null })}\n`);
}, driver);
