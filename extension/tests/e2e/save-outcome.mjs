// One save from the popup while Zotero misbehaves: the popup must show the server's outcome
// (EXPECT_STATE: queued or failed) with its reason (EXPECT_MESSAGE, a regular expression).
import { launchChromium } from './chromium-driver.mjs';
import { allServerMatches, check, serverGet, settingsFromEnv } from './env.mjs';
import { POPUP, connect, saveFromPopup, waitFor } from './flow.mjs';

const settings = settingsFromEnv();
const expectState = process.env.EXPECT_STATE;
const expectMessage = new RegExp(process.env.EXPECT_MESSAGE ?? '.', 'i');
const driver = await launchChromium();
let exitCode = 0;
try {
  const { ok, text } = await connect(driver, settings);
  check(ok, `connected: ${text}`);
  const target = (await allServerMatches(settings)).sort((a, b) => a.rank - b.rank).find((m) => m.status === 'new');
  const popup = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(popup, `#list > li.card[data-id="${target.paper.id}"]`);
  const outcome = await saveFromPopup(popup, target.paper.id);
  check(outcome.state === expectState, `save outcome ${outcome.state} (${outcome.message}), expected ${expectState}`);
  check(expectMessage.test(outcome.message), `message "${outcome.message}" matches ${expectMessage}`);
  check(outcome.button === 'Retry save', `the button offers a retry (got ${outcome.button})`);
  await popup.screenshot({ path: `${settings.artifacts}/chromium-popup-save-${expectState}.png` });
  const detail = await serverGet(settings, `/api/papers/${encodeURIComponent(target.paper.id)}`);
  process.stdout.write(`${JSON.stringify({ id: target.paper.id, outcome, in_library: detail.in_library })}\n`);
} catch (error) {
  console.error(error?.stack ?? error);
  exitCode = 1;
} finally {
  await driver.close();
}
process.exit(exitCode);
