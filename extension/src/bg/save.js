// Saving from outside the popup (shortcut, context menu, listing pages). Without tags from the
// caller the body says ``tags: null`` and leaves ``collection`` out, so the server applies the
// paper's suggested tags and collection itself (a list would be final: an empty one used to drop the suggestions whenever
// the extra lookup of the paper failed, e.g. with arXiv down).

import { saveStatusText } from '../lib/format.js';
import { configuredClient } from '../lib/settings.js';
import { flashBadge, refreshBadge } from './badge.js';

export async function savePaper(id, { tags = null, collection, flash = false } = {}) {
  const { client } = await configuredClient();
  let result;
  try {
    result = await client.save(id, { tags, collection });
  } catch (error) {
    result = { status: 'failed', item_key: null, message: error.message };
  }
  const ok = result.status === 'saved' || result.status === 'already_in_library';
  if (flash) await flashBadge(ok, `paperfeed: arXiv:${id}: ${saveStatusText(result)}`);
  else await refreshBadge();
  return result;
}
