// "Test connection": reachability (health, no auth), then the token (an authenticated request).

import { createClient } from '../lib/api.js';
import { formatWhen } from '../lib/format.js';
import { networkErrorAdvice } from '../lib/net-errors.js';
import { TOKEN_COMMAND, ZOTERO_SETUP } from '../lib/states.js';

/**
 * Returns {ok, lines, reason?} — lines are plain text shown to the user, never containing the
 * token; a line may be {command} (shown as code, once).
 */
export async function checkConnection({ serverUrl, token, fetchImpl = globalThis.fetch, now = new Date() }) {
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
      const advice = networkErrorAdvice(error.code);
      return { ok: false, reason: error.code, lines: [error.message, advice.hint, ...(advice.command ? [{ command: advice.command }] : [])] };
    }
    return { ok: false, lines: [`${client.baseUrl} answered, but not like a paperfeed server: ${error.message}`] };
  }
  if (health?.status !== 'ok') {
    return { ok: false, lines: [`${client.baseUrl} answered, but not like a paperfeed server.`] };
  }
  const lines = [`Connected to paperfeed ${health.version ?? ''} at ${client.baseUrl}.`.replace('  ', ' ')];
  if (!token) return { ok: false, lines: [...lines, 'Enter the server token to finish. This prints it:', { command: TOKEN_COMMAND }] };
  try {
    await client.papers({ limit: 1 });
    lines.push('Token accepted.');
  } catch (error) {
    if (error.kind === 'unauthorized') {
      return { ok: false, lines: [...lines, 'The server refused the token. Copy it again; this prints it:', { command: TOKEN_COMMAND }] };
    }
    return { ok: false, lines: [...lines, `Token check failed: ${error.message}`] };
  }
  lines.push(health.configured?.zotero ? 'Zotero: connected.' : `Zotero: not connected yet, saves wait in the queue. ${ZOTERO_SETUP}`);
  if (health.last_fetch?.at) lines.push(`Last fetch: ${formatWhen(health.last_fetch.at, { now })} (${health.last_fetch.outcome}).`);
  return { ok: true, lines };
}
