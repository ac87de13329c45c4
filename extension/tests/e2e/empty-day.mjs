// The popup on a ranked day without a match (BROWSER: chromium or firefox): the empty state
// names the day, says why in the server's words (its rank run) and what to change, in readable
// type with no serious axe-core violation; light and dark screenshots.
import { settingsFromEnv, check, clean, serverGet, until, runScript } from './env.mjs';
import { launchBrowser } from './firefox-driver.mjs';
import { POPUP, checkAccessibility, checkReadable, connect, text, waitFor } from './flow.mjs';

const settings = settingsFromEnv();
const driver = await launchBrowser();
await runScript(async () => {
  const { ok, text: connected } = await connect(driver, settings);
  check(ok, `connected: ${connected}`);
  const server = await serverGet(settings, '/api/papers');
  check(server.total === 0 && server.items.length === 0 && server.announcement === 'ok', `the server has an empty day: ${JSON.stringify(server)}`);
  const popup = await driver.openExtensionPage('popup/popup.html?url=about%3Ablank', POPUP);
  await waitFor(popup, 'body[data-ready="true"]');
  await waitFor(popup, '.state-nothing_matched');
  const shown = await popup.evaluate(() => {
    const box = document.querySelector('.state-nothing_matched');
    return {
      title: box.querySelector('h3')?.textContent ?? '',
      detail: box.querySelector('.state-detail')?.textContent ?? '',
      hint: box.querySelector('.state-hint')?.textContent ?? '',
      day: document.getElementById('day').textContent,
      cards: document.querySelectorAll('#list > li.card').length,
      filterHidden: document.getElementById('filter').hidden,
      count: document.getElementById('count').textContent,
    };
  });
  const all = clean(Object.values(shown).join(' '));
  check(shown.cards === 0 && shown.filterHidden && shown.count === '', `no list, filter or count on an empty day: ${JSON.stringify(shown)}`);
  check(!/null|undefined|NaN|\[object|`/.test(all), `no stray values or backticks: ${all}`);
  await until('badge is empty', () => popup.evaluate(async () => (await (globalThis.browser ?? globalThis.chrome).action.getBadgeText({})) === ''));
  const fonts = await checkReadable(popup, 'popup (empty day)', ['.state-detail', '.state-hint']);
  const axe = await checkAccessibility(popup, 'popup (empty day)');
  await popup.screenshot({ path: `${settings.artifacts}/${driver.name}-popup-empty-day.png` });
  const screenshots = [`${driver.name}-popup-empty-day.png`];
  if (driver.colorScheme) {
    await driver.colorScheme(popup, 'dark');
    await checkAccessibility(popup, 'popup (empty day), dark');
    await popup.screenshot({ path: `${settings.artifacts}/${driver.name}-popup-empty-day-dark.png` });
    screenshots.push(`${driver.name}-popup-empty-day-dark.png`);
  }
  process.stdout.write(`${JSON.stringify({ browser: driver.name, server: { date: server.date, message: server.message },
    shown: { title: clean(shown.title), detail: clean(shown.detail), hint: clean(shown.hint), day: clean(shown.day) },
    fonts, axe, screenshots })}\n`);
}, driver);
