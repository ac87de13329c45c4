// The extension's own settings (server URL and token) in storage.local. The token is a secret:
// it is never logged, never sent anywhere but the configured server, never synced.

import { DEFAULT_SERVER_URL, createClient } from './api.js';

export const api = globalThis.browser ?? globalThis.chrome;

export async function loadSettings() {
  const stored = await api.storage.local.get({ serverUrl: DEFAULT_SERVER_URL, token: '' });
  return { serverUrl: stored.serverUrl || DEFAULT_SERVER_URL, token: stored.token || '' };
}

export async function saveSettings({ serverUrl, token }) {
  await api.storage.local.set({ serverUrl, token });
}

/** A client for the configured server (throws ApiError "not_configured" on use without a token). */
export async function configuredClient(options = {}) {
  const settings = await loadSettings();
  return { settings, client: createClient({ ...settings, ...options }) };
}
