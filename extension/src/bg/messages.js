// Requests from content scripts (which cannot reach the loopback server from arxiv.org's origin).

import { allMatches } from '../lib/api.js';
import { paperFromHref, paperFromUrl } from '../lib/ids.js';
import { listingDays } from '../lib/listing-days.js';
import { polledState, saveStateFromAnswer, saveStateOf, savedWithText } from '../lib/save-state.js';
import { api, configuredClient } from '../lib/settings.js';
import { refreshBadge } from './badge.js';
import { savePaper } from './save.js';

/** A save state as content scripts show it (plain data; "savedWith" already in words). */
function forPage(state) {
  return { state: state.state, message: state.message ?? '', savedWith: state.state === 'saved' ? savedWithText(state) : '' };
}

/**
 * For each arXiv link on a listing page: the user's match for that paper, if any, looked up in
 * every day the page shows (lib/listing-days.js), newest day first.
 */
async function listingLookup(hrefs, url, headings) {
  const { settings, client } = await configuredClient();
  if (!settings.token) return { error: 'paperfeed is not configured', matches: {} };
  const days = listingDays(String(url ?? ''), Array.isArray(headings) ? headings.map(String) : []);
  const byId = new Map();
  let asked = 0;
  for (const day of days) {
    let response;
    try {
      response = await allMatches(client, day ? { date: day } : {});
      asked += 1;
    } catch (error) {
      if (error.kind === 'unreachable' || error.kind === 'unauthorized' || error.kind === 'not_configured') throw error;
      continue; // one bad day (a 400 for a date the server refuses) must not hide the others
    }
    for (const match of response.items ?? []) {
      if (!byId.has(match.paper.id)) byId.set(match.paper.id, match);
    }
  }
  const matches = {};
  for (const href of hrefs.slice(0, 2000)) {
    const paper = paperFromHref(String(href));
    const match = paper && byId.get(paper.id);
    if (match) {
      matches[href] = { id: paper.id, score: match.score, reason: match.reason, tags: match.tags ?? [],
        collection: match.collection?.key ?? null, status: match.status, rank: match.rank,
        state: forPage(saveStateOf(match)) };
    }
  }
  return { matches, days, asked };
}

/** The abstract page's paper: its match (score, reason, suggestions) and where it stands with Zotero. */
async function paperLookup(url) {
  const { settings, client } = await configuredClient();
  if (!settings.token) return { error: 'paperfeed is not configured' };
  const page = paperFromUrl(String(url ?? ''));
  if (!page) return { error: 'not an arXiv paper page' };
  const detail = await client.paper(page.id);
  const match = detail.match ? { score: detail.match.score, reason: detail.match.reason, tags: detail.match.tags ?? [],
    collection: detail.match.collection ?? null, status: detail.match.status } : null;
  return { id: detail.paper?.id ?? page.id, title: detail.paper?.title ?? '', match, state: forPage(saveStateOf(detail)) };
}

async function handle(message, sender) {
  switch (message?.type) {
    case 'listing-lookup':
      return listingLookup(Array.isArray(message.hrefs) ? message.hrefs : [], message.url, message.headings);
    case 'paper-lookup':
      return paperLookup(message.url);
    case 'paper-state': {
      const { client } = await configuredClient();
      return forPage(polledState(await client.paper(String(message.id))));
    }
    case 'save': {
      const tags = Array.isArray(message.tags) ? message.tags : null;
      const result = await savePaper(String(message.id), { tags, collection: message.collection ?? undefined });
      return { ...result, ...forPage(saveStateFromAnswer(result, { tags: tags ?? [] })) };
    }
    case 'refresh-badge':
      return { count: await refreshBadge() };
    default:
      throw new Error(`unknown message ${String(message?.type)} from ${sender?.url ?? 'an extension page'}`);
  }
}

export function initMessages() {
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    handle(message, sender).then(sendResponse, (error) => sendResponse({ error: error.message }));
    return true; // answer asynchronously
  });
}
