// Requests from content scripts (which cannot reach the loopback server from arxiv.org's origin).

import { allMatches } from '../lib/api.js';
import { paperFromHref } from '../lib/ids.js';
import { api, configuredClient } from '../lib/settings.js';
import { refreshBadge } from './badge.js';
import { savePaper } from './save.js';

/** For each arXiv link on a listing page: the user's match for that paper, if any. */
async function listingLookup(hrefs) {
  const { settings, client } = await configuredClient();
  if (!settings.token) return { error: 'paperfeed is not configured', matches: {} };
  const response = await allMatches(client, {});
  const byId = new Map(response.items.map((match) => [match.paper.id, match]));
  const matches = {};
  for (const href of hrefs.slice(0, 2000)) {
    const paper = paperFromHref(String(href));
    const match = paper && byId.get(paper.id);
    if (match) {
      matches[href] = { id: paper.id, score: match.score, reason: match.reason, tags: match.tags ?? [],
        collection: match.collection?.key ?? null, status: match.status, rank: match.rank };
    }
  }
  return { matches, date: response.date };
}

async function handle(message, sender) {
  switch (message?.type) {
    case 'listing-lookup':
      return listingLookup(Array.isArray(message.hrefs) ? message.hrefs : []);
    case 'save':
      return savePaper(String(message.id), { tags: message.tags ?? null, collection: message.collection });
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
