// Options: server URL and token in storage.local (never logged), and a connection test.

import { el } from '../lib/dom.js';
import { normaliseServerUrl } from '../lib/api.js';
import { loadSettings, saveSettings } from '../lib/settings.js';
import { checkConnection } from './connection-check.js';

const form = document.getElementById('settings');
const urlInput = document.getElementById('server-url');
const tokenInput = document.getElementById('token');
const result = document.getElementById('result');

function show(ok, lines) {
  result.className = ok ? 'ok' : 'bad';
  result.dataset.ok = String(ok);
  result.replaceChildren(...lines.filter(Boolean).map((line) => (typeof line === 'object'
    ? el('p', {}, el('code', {}, line.command)) : el('p', {}, line))));
}

function values() {
  return { serverUrl: urlInput.value, token: tokenInput.value.trim() };
}

async function test() {
  show(true, ['Testing…']);
  result.dataset.ok = 'pending';
  const { ok, lines, reason } = await checkConnection(values());
  show(ok, lines);
  result.dataset.reason = reason ?? '';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  let serverUrl;
  try {
    serverUrl = normaliseServerUrl(urlInput.value);
  } catch (error) {
    show(false, [error.message]);
    return;
  }
  urlInput.value = serverUrl;
  await saveSettings({ serverUrl, token: tokenInput.value.trim() });
  await test();
  if (result.dataset.ok === 'true') result.prepend(el('p', {}, 'Saved.'));
});

document.getElementById('test').addEventListener('click', test);
document.getElementById('show-token').addEventListener('click', (event) => {
  const showing = tokenInput.type === 'text';
  tokenInput.type = showing ? 'password' : 'text';
  event.currentTarget.textContent = showing ? 'Show' : 'Hide';
  event.currentTarget.setAttribute('aria-pressed', String(!showing));
});

loadSettings().then(({ serverUrl, token }) => {
  urlInput.value = serverUrl;
  tokenInput.value = token;
  document.body.dataset.ready = 'true';
});
