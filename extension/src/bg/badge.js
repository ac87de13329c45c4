// Toolbar badge: today's unseen matches, refreshed on a schedule (alarms) and after saves.

import { allMatches } from '../lib/api.js';
import { badgeText, unseenCount } from '../lib/badge.js';
import { api, configuredClient } from '../lib/settings.js';

const ALARM = 'refresh-badge';
const PERIOD_MINUTES = 15;

export async function refreshBadge() {
  const { settings, client } = await configuredClient();
  if (!settings.token) {
    await setBadge('', 'paperfeed: not configured (open the options)');
    return null;
  }
  try {
    const response = await allMatches(client, {});
    const { seen } = await api.storage.local.get({ seen: null });
    const count = unseenCount(response.items, seen?.date === response.date ? seen.ids : []);
    await setBadge(badgeText(count), count ? `paperfeed: ${count} new matching papers` : 'paperfeed: nothing new');
    return count;
  } catch (error) {
    await setBadge('', `paperfeed: ${error.message}`);
    return null;
  }
}

export async function setBadge(text, title) {
  await api.action.setBadgeText({ text });
  await api.action.setBadgeBackgroundColor({ color: '#b31b1b' });
  if (title) await api.action.setTitle({ title });
}

/** A short-lived badge ("✓" or "!") after a save from the shortcut or the context menu. */
export async function flashBadge(ok, title) {
  await api.action.setBadgeBackgroundColor({ color: ok ? '#1a7f37' : '#cf222e' });
  await api.action.setBadgeText({ text: ok ? '✓' : '!' });
  await api.action.setTitle({ title });
  setTimeout(() => { refreshBadge(); }, 4000);
}

export function initBadge() {
  api.alarms.create(ALARM, { periodInMinutes: PERIOD_MINUTES, delayInMinutes: 0.1 });
  api.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === ALARM) refreshBadge();
  });
  api.runtime.onStartup?.addListener(() => refreshBadge());
  api.runtime.onInstalled.addListener(() => refreshBadge());
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && (changes.serverUrl || changes.token)) refreshBadge();
  });
}
