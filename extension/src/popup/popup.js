// The popup: wires the shared context, then starts each feature in isolation.

import { isolated } from '../lib/features.js';
import { markSeen } from '../lib/badge.js';
import { api, configuredClient } from '../lib/settings.js';
import { ZOTERO_SETUP } from '../lib/states.js';
import { loadTestHooks, popupUrlOverride } from '../lib/test-hooks.js';
import { initKeyboard } from './keyboard.js';
import { initThisPaper } from './this-paper.js';
import { initTodayList } from './today-list.js';

async function activeTabUrl() {
  // A test copy of the extension (with test-hooks.json) opens the popup as a tab and names the
  // page it should describe; real installs carry no such file and always ask the browser.
  const hooks = location.search ? await loadTestHooks((path) => api.runtime.getURL(path)) : {};
  const fromQuery = popupUrlOverride(location.search, hooks);
  if (fromQuery) return fromQuery;
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab?.url ?? '';
}

function notice(text) {
  const box = document.getElementById('notice');
  box.textContent = text;
  box.hidden = !text;
}

async function main() {
  const { settings, client } = await configuredClient();
  const ctx = {
    settings,
    client,
    tabUrl: await activeTabUrl().catch(() => ''),
    collections: settings.token ? client.collections().then((body) => body.items ?? []).catch(() => []) : Promise.resolve([]),
    openOptions: () => api.runtime.openOptionsPage(),
    changed: () => api.runtime.sendMessage({ type: 'refresh-badge' }).catch(() => {}),
  };
  const onError = (name) => notice(`Part of the popup (${name}) failed to load; the rest still works.`);

  document.getElementById('refresh').addEventListener('click', () => location.reload());
  isolated('keyboard', () => initKeyboard(document));
  document.getElementById('options-link').addEventListener('click', (event) => {
    event.preventDefault();
    ctx.openOptions();
  });

  await isolated('server-status', async () => {
    if (!settings.token) return;
    const health = await client.health();
    if (health?.configured && health.configured.zotero === false) {
      notice(`Zotero is not connected on the server yet: saves wait in the queue. ${ZOTERO_SETUP}`);
    }
  }, () => {});
  const [, listed] = await Promise.all([
    isolated('this-paper', () => initThisPaper(ctx), onError),
    isolated('today-list', () => initTodayList(ctx), onError),
  ]);
  await isolated('mark-seen', async () => {
    const items = listed?.response?.items ?? [];
    if (!listed?.response?.date || items.length === 0) return;
    const { seen } = await api.storage.local.get({ seen: null });
    await api.storage.local.set({ seen: markSeen(seen, listed.response.date, items.map((m) => m.paper.id)) });
    ctx.changed();
  });
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  notice(`paperfeed could not start: ${error.message}`);
  document.body.dataset.ready = 'true';
});
