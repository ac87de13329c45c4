// Which screen the popup shows, decided from the server's answer (pure, unit tested).

import { formatDay } from './format.js';

const START_HINT = 'Start it in a terminal with: paperfeed serve';

/**
 * @param {{token: string}} settings
 * @param {object|null} response  the /api/papers answer, or null when the request failed
 * @param {Error|null} error       the ApiError of the failed request
 * @returns {{kind: string, title: string, detail: string, command?: string, action?: string}}
 */
export function listState(settings, response, error) {
  if (!settings?.token || error?.kind === 'not_configured') {
    return { kind: 'not_configured', title: 'Connect paperfeed',
      detail: 'Set the server URL and token (printed by paperfeed init) in the options.', action: 'options' };
  }
  if (error) {
    if (error.kind === 'unreachable') {
      return { kind: 'unreachable', title: 'The paperfeed server is not running',
        detail: `${error.message} ${START_HINT}`, command: 'paperfeed serve' };
    }
    if (error.kind === 'unauthorized') {
      return { kind: 'unauthorized', title: 'The server refused the token',
        detail: 'Copy the token printed by `paperfeed config show --reveal-token` into the options.', action: 'options' };
    }
    return { kind: 'error', title: 'The server had a problem', detail: error.message };
  }
  const day = response?.date ? formatDay(response.date) : 'today';
  const total = response?.total ?? response?.items?.length ?? 0;
  switch (response?.announcement) {
    case 'no_announcement':
      if (total > 0) break;
      return { kind: 'no_announcement', title: `No arXiv announcement ${response?.date ? `on ${day}` : 'today'}`,
        detail: response?.message || 'arXiv does not announce new papers on weekends and holidays. Come back on the next weekday.' };
    case 'not_fetched':
      if (total > 0) break;
      return { kind: 'not_fetched', title: "Today's papers are not fetched yet",
        detail: response?.message || 'The server fetches them on its schedule; to fetch now run:', command: 'paperfeed daily' };
    case 'unreachable':
      if (total > 0) break;
      return { kind: 'arxiv_unreachable', title: 'arXiv could not be reached',
        detail: response?.message || 'The last fetch could not reach arXiv; it will be retried.' };
    case 'error':
      if (total > 0) break;
      return { kind: 'error', title: 'The last fetch failed', detail: response?.message || 'See the server log.' };
    default:
      break;
  }
  if (total === 0) {
    return { kind: 'nothing_matched', title: `Nothing matched on ${day}`,
      detail: 'Hint: add keywords or categories (paperfeed config set arxiv.keywords ...), '
        + 'lower the minimum score, or save a few papers so paperfeed learns what you like.' };
  }
  return { kind: 'list', title: '', detail: '' };
}

/**
 * The line above a list that is not today's news: the server still shows the last good day
 * when today has no announcement or arXiv was unreachable, and says so in ``message``.
 */
export function listBanner(response) {
  const kind = response?.announcement;
  if (!kind || kind === 'ok' || !(response?.items?.length)) return null;
  const message = String(response.message ?? '').trim();
  const fallback = {
    no_announcement: 'No arXiv announcement today (weekend or holiday): showing the last announced day.',
    unreachable: 'arXiv could not be reached at the last fetch: showing the last good day.',
    not_fetched: "Today's announcement is not fetched yet: showing the last fetched day.",
    error: 'The last fetch failed: showing the last good day.',
  }[kind];
  if (!message) return fallback ?? null;
  return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.');
}
