// "Save to Zotero": one click, then saving… / In Zotero ✓ (with the tags and collection it was
// saved with) / queued (polls until it settles, no retry button) / failed (why, red retry).

import { el } from '../lib/dom.js';
import { saveStatusText } from '../lib/format.js';
import { pollQueuedSave, saveStateFromAnswer, savedWithText } from '../lib/save-state.js';

const DONE = new Set(['saved', 'in_library']);
const LEVEL = { saved: 'ok', in_library: 'ok', queued: 'warn', failed: 'bad' };
export const POLL = { intervalMs: 2000, maxMs: 120000 };

/**
 * @param ctx      popup context (client, changed)
 * @param initial  a save state (lib/save-state.js saveStateOf) the paper is in when shown
 */
export function saveControl(ctx, id, { getTags, getCollection, getCollectionName = () => null, initial = { state: 'new' }, label = 'paper' }) {
  const button = el('button', { type: 'button', className: 'primary save' });
  const line = el('span', { className: 'save-status', role: 'status', 'aria-live': 'polite' });
  let polling = null;

  function show(state, message = '') {
    button.disabled = DONE.has(state.state) || state.state === 'saving' || state.state === 'queued';
    button.textContent = state.state === 'saving' ? 'Saving…' : DONE.has(state.state) ? 'In Zotero ✓'
      : state.state === 'queued' ? 'Queued…' : state.state === 'failed' ? 'Retry save' : 'Save to Zotero';
    button.classList.toggle('danger', state.state === 'failed');
    button.classList.toggle('done', DONE.has(state.state));
    button.classList.toggle('waiting', state.state === 'queued' || state.state === 'saving');
    // The accessible name starts with the visible text (WCAG 2.5.3), then says which paper.
    button.setAttribute('aria-label', `${button.textContent}: ${label}`);
    line.className = `save-status ${LEVEL[state.state] ?? ''}`;
    line.textContent = message;
    line.dataset.state = state.state;
  }

  function showState(state) {
    if (state.state === 'saved') show(state, savedWithText(state));
    else if (state.state === 'in_library') show(state, 'Already in your library');
    else if (state.state === 'queued') {
      const why = String(state.message ?? '').replace(/^queued:\s*/i, '').trim();
      show(state, `Queued: paperfeed retries by itself${why ? ` (${why})` : ''}.`);
      watch(state);
    } else if (state.state === 'failed') show(state, `Failed${state.message ? `: ${state.message.replace(/^failed:\s*/i, '')}` : ''}`);
    else show(state);
  }

  function watch(queued) {
    if (polling || !ctx.client?.paper) return;
    polling = pollQueuedSave(() => ctx.client.paper(id), { ...POLL, ...(ctx.poll ?? {}) }).then((settled) => {
      polling = null;
      if (settled.timedOut) {
        show({ state: 'queued' }, 'Still queued: paperfeed keeps retrying; reopen the popup later.');
        return;
      }
      // The server may not say what the paper was saved with yet: keep what was sent.
      showState({ ...settled, tags: settled.tags?.length ? settled.tags : queued.tags,
        collection: settled.collection ?? queued.collection });
      ctx.changed();
    });
  }

  button.addEventListener('click', async () => {
    show({ state: 'saving' }, 'Saving to Zotero…');
    const key = getCollection();
    const sent = { tags: getTags(), collection: key ? { key, name: getCollectionName() || key } : null };
    try {
      const answer = await ctx.client.save(id, { tags: sent.tags, collection: key });
      const state = saveStateFromAnswer(answer, sent);
      if (state.state === 'in_library') show(state, saveStatusText(answer));
      else showState(state);
    } catch (error) {
      show({ state: 'failed' }, `Failed: ${error.message}`);
    }
    ctx.changed();
  });

  showState(initial ?? { state: 'new' });
  return { button, line, showState };
}
