// Where a paper stands with Zotero, read defensively from the server's answers, and the wait
// for a queued save to settle (pure apart from the injected fetch and sleep; unit tested).
//
// Contract: a paper entry (a match in GET /api/papers, GET /api/papers/{id} and its ``match``)
// may carry ``save``: null or {state: "queued"|"saved"|"failed", item_key, tags, collection:
// {key, name}|null, message, updated}; the save answer keeps status/item_key/message and may
// carry ``save`` too. Servers without ``save`` are read from ``status`` and ``in_library``.

/** The UI states of the save control. */
export const SAVE_STATES = ['new', 'saving', 'queued', 'saved', 'in_library', 'failed'];

function cleanSave(save) {
  if (!save || typeof save !== 'object') return null;
  const state = ['queued', 'saved', 'failed'].includes(save.state) ? save.state : null;
  if (!state) return null;
  const collection = save.collection && typeof save.collection === 'object' && save.collection.key
    ? { key: String(save.collection.key), name: String(save.collection.name || save.collection.key) } : null;
  return {
    state,
    itemKey: save.item_key ?? null,
    tags: Array.isArray(save.tags) ? save.tags.filter((tag) => typeof tag === 'string' && tag.trim()) : [],
    collection,
    message: typeof save.message === 'string' ? save.message : '',
    updated: typeof save.updated === 'string' ? save.updated : '',
  };
}

/**
 * A paper entry (a match, or a paper detail) -> {state, tags, collection, message, updated, itemKey}.
 * ``state`` is one of new | queued | saved | in_library | failed.
 */
export function saveStateOf(entry) {
  const save = cleanSave(entry?.save) ?? cleanSave(entry?.match?.save);
  const inLibrary = entry?.in_library === true || entry?.status === 'in_library';
  if (save?.state === 'saved') return { ...save, state: 'saved' };
  if (save && (save.state === 'queued' || save.state === 'failed')) {
    // The library may know the item already (pushed since the answer was cached): saved wins.
    return inLibrary ? { ...save, state: 'saved' } : save;
  }
  const base = { tags: [], collection: null, message: '', updated: '', itemKey: entry?.item_key ?? null };
  if (entry?.status === 'saved') return { ...base, state: 'saved' };
  if (inLibrary) return { ...base, state: 'in_library' };
  return { ...base, state: 'new' };
}

/** The save answer (POST .../save) -> the same shape; ``sent`` is what the client asked for. */
export function saveStateFromAnswer(answer, sent = {}) {
  const save = cleanSave(answer?.save);
  const fallback = {
    tags: sent.tags ?? [], collection: sent.collection ?? null, message: answer?.message ?? '', updated: '',
    itemKey: answer?.item_key ?? null,
  };
  if (save) return { ...fallback, ...save, tags: save.tags.length ? save.tags : fallback.tags, collection: save.collection ?? fallback.collection };
  switch (answer?.status) {
    case 'saved': return { ...fallback, state: 'saved' };
    case 'already_in_library': return { ...fallback, state: 'in_library' };
    case 'queued': return { ...fallback, state: 'queued' };
    case 'failed': return { ...fallback, state: 'failed' };
    default: return { ...fallback, state: 'failed', message: `Unexpected answer from the server (${String(answer?.status)})` };
  }
}

/**
 * A paper detail read while waiting for a queued save: "saved" only with proof that it reached
 * Zotero (the ``save`` object, or ``in_library``); a server without ``save`` reports the user's
 * decision as status "saved" while the save still waits in the outbox, which stays "queued".
 */
export function polledState(detail) {
  const state = saveStateOf(detail);
  if (state.state === 'in_library') return { ...state, state: 'saved' };
  const proof = Boolean(detail?.save || detail?.match?.save) || detail?.in_library === true;
  if (state.state === 'saved' && !proof) return { ...state, state: 'queued' };
  return state;
}

const sleepFor = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * Ask for the paper until its queued save settles (saved, in the library, or failed), every
 * ``intervalMs`` for at most ``maxMs``. ``fetchDetail()`` is GET /api/papers/{id}; request
 * errors are ignored (the server may be busy) until the time is up. ``onUpdate`` sees each state.
 * Resolves with the last state; ``timedOut: true`` when it was still queued at the end.
 */
export async function pollQueuedSave(fetchDetail, {
  intervalMs = 2000, maxMs = 120000, sleep = sleepFor, now = () => Date.now(), onUpdate = () => {},
  isCancelled = () => false,
} = {}) {
  const deadline = now() + maxMs;
  let last = null;
  let attempts = 0;
  while (now() < deadline && !isCancelled()) {
    await sleep(intervalMs);
    if (isCancelled()) break;
    attempts += 1;
    let detail;
    try {
      detail = await fetchDetail();
    } catch {
      continue;
    }
    last = polledState(detail);
    onUpdate(last);
    const settled = last.state === 'saved' || last.state === 'failed';
    if (settled) return { ...last, attempts, timedOut: false };
  }
  return { ...(last ?? { state: 'queued', tags: [], collection: null, message: '', updated: '' }), state: 'queued', attempts, timedOut: true };
}

/** "In Zotero · tagged a, b · in Reading list / LLMs": what a saved paper was saved with. */
export function savedWithText(state) {
  const parts = ['In Zotero'];
  const tags = (state?.tags ?? []).filter((tag) => tag !== 'paperfeed');
  if (tags.length) parts.push(`tagged ${tags.join(', ')}`);
  if (state?.collection?.name) parts.push(`in ${state.collection.name}`);
  return parts.join(' · ');
}
