// Which screen the popup shows, decided from the server's answer (pure, unit tested).
// Every sentence here must be true of paperfeed as shipped: commands that exist, settings by
// their real names; a command is shown once, as a command, never inside the prose.

import { formatDay } from './format.js';
import { networkErrorAdvice } from './net-errors.js';

export const TOKEN_COMMAND = 'paperfeed config show --reveal-token';
export const ZOTERO_SETUP = 'Set zotero.library_id in the server\'s config file and PAPERFEED_ZOTERO_API_KEY '
  + 'in its environment (a Zotero key from zotero.org/settings/keys), then restart paperfeed serve.';

/** A server message as prose: the server writes commands in `backticks`, the popup shows words. */
export function serverText(message) {
  return String(message ?? '').replace(/`([^`]*)`/g, '$1').trim();
}

/** The title for each reason the server could not be reached (ApiError.code, from net-errors.js). */
const UNREACHABLE_TITLES = {
  blocked_port: 'The browser blocks this port',
  tls: 'The secure connection failed',
  timeout: 'The paperfeed server does not answer',
  dns: 'The server address does not resolve',
  offline: 'This computer is offline',
};

/** The screen for a server that could not be reached: what happened, then what to do (once). */
export function unreachableState(error) {
  const reason = error?.code || 'refused';
  const advice = networkErrorAdvice(reason);
  return { kind: 'unreachable', reason, title: UNREACHABLE_TITLES[reason] ?? 'The paperfeed server is not running',
    detail: String(error?.message ?? '').trim(), hint: advice.hint, command: advice.command, action: advice.action };
}

/**
 * @param {{token: string}} settings
 * @param {object|null} response  the /api/papers answer, or null when the request failed
 * @param {Error|null} error       the ApiError of the failed request
 * @returns {{kind: string, title: string, detail: string, hint?: string, command?: string, action?: string}}
 */
export function listState(settings, response, error) {
  if (!settings?.token || error?.kind === 'not_configured') {
    return { kind: 'not_configured', title: 'Connect paperfeed to your server',
      detail: 'Enter the server URL (default http://127.0.0.1:8765) and the server token in the options. '
        + 'This prints the token (paperfeed init created it):',
      command: TOKEN_COMMAND, action: 'options' };
  }
  if (error) {
    if (error.kind === 'unreachable') return unreachableState(error);
    if (error.kind === 'unauthorized') {
      return { kind: 'unauthorized', title: 'The server refused the token',
        detail: 'The token in the options is not the server\'s token (it may have been regenerated). '
          + 'Copy it again; this prints it:',
        command: TOKEN_COMMAND, action: 'options' };
    }
    return { kind: 'error', title: 'The server had a problem', detail: error.message };
  }
  const day = response?.date ? formatDay(response.date) : 'today';
  const total = response?.total ?? response?.items?.length ?? 0;
  switch (response?.announcement) {
    case 'no_announcement':
      if (total > 0) break;
      return { kind: 'no_announcement', title: `No arXiv announcement ${response?.date ? `on ${day}` : 'today'}`,
        detail: serverText(response?.message) || 'arXiv does not announce new papers on weekends and holidays. Come back on the next weekday.' };
    case 'not_fetched': {
      if (total > 0) break;
      const said = serverText(response?.message).replace(/[.]$/, '');
      // The server's message may name the command already ("run `paperfeed daily` or start a sync"): say it once.
      if (said.includes('paperfeed daily')) {
        return { kind: 'not_fetched', title: "Today's papers are not fetched yet", detail: `${said.charAt(0).toUpperCase()}${said.slice(1)}.` };
      }
      return { kind: 'not_fetched', title: "Today's papers are not fetched yet",
        detail: `${said ? `${said.charAt(0).toUpperCase()}${said.slice(1)}. ` : 'The server fetches them on its schedule. '}To fetch now, run:`,
        command: 'paperfeed daily' };
    }
    case 'unreachable':
      if (total > 0) break;
      return { kind: 'arxiv_unreachable', title: 'arXiv could not be reached',
        detail: serverText(response?.message) || 'The last fetch could not reach arXiv; it will be retried.' };
    case 'error':
      if (total > 0) break;
      return { kind: 'error', title: 'The last fetch failed', detail: serverText(response?.message) || 'See the server log.' };
    default:
      break;
  }
  if (total === 0) {
    // The server says why (its rank run: nothing to rank, or what left each paper out); the date
    // in its words is shown as in the title.
    const said = serverText(response?.message).replace(/[.]$/, '');
    const why = said && response?.date ? said.replaceAll(response.date, day) : said;
    return { kind: 'nothing_matched', title: `Nothing matched on ${day}`,
      detail: why ? `${why.charAt(0).toUpperCase()}${why.slice(1)}.` : 'No paper announced that day made your list.',
      hint: 'To see more: add categories or keyword watches (arxiv.categories, arxiv.keywords in the config file), '
        + 'lower ranking.threshold, or save papers you like to Zotero so paperfeed learns from them.' };
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
  const message = serverText(response.message);
  const fallback = {
    no_announcement: 'No arXiv announcement today (weekend or holiday): showing the last announced day.',
    unreachable: 'arXiv could not be reached at the last fetch: showing the last good day.',
    not_fetched: "Today's announcement is not fetched yet: showing the last fetched day.",
    error: 'The last fetch failed: showing the last good day.',
  }[kind];
  if (!message) return fallback ?? null;
  return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? '' : '.');
}
