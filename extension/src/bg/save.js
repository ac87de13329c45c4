// Saving from outside the popup (shortcut, context menu, listing pages): the paper's suggested
// tags and collection are used unless the caller gives its own.

import { saveStatusText } from '../lib/format.js';
import { configuredClient } from '../lib/settings.js';
import { flashBadge, refreshBadge } from './badge.js';

export async function savePaper(id, { tags = null, collection, flash = false } = {}) {
  const { client } = await configuredClient();
  let result;
  try {
    let useTags = tags;
    let useCollection = collection;
    if (useTags === null || useCollection === undefined) {
      const detail = await client.paper(id).catch(() => null);
      useTags ??= detail?.match?.tags ?? [];
      if (useCollection === undefined) useCollection = detail?.match?.collection?.key ?? null;
    }
    result = await client.save(id, { tags: useTags, collection: useCollection ?? null });
  } catch (error) {
    result = { status: 'failed', item_key: null, message: error.message };
  }
  const ok = result.status === 'saved' || result.status === 'already_in_library';
  if (flash) await flashBadge(ok, `paperfeed: arXiv:${id}: ${saveStatusText(result)}`);
  else await refreshBadge();
  return result;
}
