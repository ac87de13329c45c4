// "Test connection": reachability (health, no auth), then the token (an authenticated request).

import { createClient } from '../lib/api.js';

/** Returns {ok, lines} — lines are plain text shown to the user, never containing the token. */
export async function checkConnection({ serverUrl, token, fetchImpl = globalThis.fetch }) {
  let client;
  try {
    client = createClient({ serverUrl, token, fetchImpl, timeoutMs: 8000 });
  } catch (error) {
    return { ok: false, lines: [error.message] };
  }
  let health;
  try {
    health = await client.health();
  } catch (error) {
    if (error.kind === 'unreachable') {
      return { ok: false, lines: [error.message, 'Start the server in a terminal with: paperfeed serve'] };
    }
    return { ok: false, lines: [`${client.baseUrl} answered, but not like a paperfeed server: ${error.message}`] };
  }
  if (health?.status !== 'ok') {
    return { ok: false, lines: [`${client.baseUrl} answered, but not like a paperfeed server.`] };
  }
  const lines = [`Connected to paperfeed ${health.version ?? ''} at ${client.baseUrl}.`.replace('  ', ' ')];
  if (!token) return { ok: false, lines: [...lines, 'Enter the server token to finish.'] };
  try {
    await client.papers({ limit: 1 });
    lines.push('Token accepted.');
  } catch (error) {
    if (error.kind === 'unauthorized') {
      return { ok: false, lines: [...lines, 'The server refused the token: copy it again from paperfeed config show --reveal-token.'] };
    }
    return { ok: false, lines: [...lines, `Token check failed: ${error.message}`] };
  }
  lines.push(health.configured?.zotero ? 'Zotero: connected.' : 'Zotero: not configured on the server yet (run paperfeed init).');
  if (health.last_fetch?.at) lines.push(`Last fetch: ${health.last_fetch.at} (${health.last_fetch.outcome}).`);
  return { ok: true, lines };
}
