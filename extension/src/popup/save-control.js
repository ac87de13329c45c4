// "Save to Zotero": one click, then saving… / saved / already in library / queued / failed (why).

import { el } from '../lib/dom.js';
import { saveStatusText } from '../lib/format.js';

const DONE = new Set(['saved', 'already_in_library', 'in_library']);
const LEVEL = { saved: 'ok', already_in_library: 'ok', in_library: 'ok', queued: 'warn', failed: 'bad' };

export function saveControl(ctx, id, { getTags, getCollection, status = 'new', label = 'paper' }) {
  const button = el('button', { type: 'button', className: 'primary save', 'aria-label': `Save ${label} to Zotero` });
  const line = el('span', { className: 'save-status', role: 'status', 'aria-live': 'polite' });

  function show(state, message = '') {
    button.disabled = DONE.has(state) || state === 'saving';
    button.textContent = state === 'saving' ? 'Saving…' : DONE.has(state) ? 'In Zotero ✓'
      : state === 'failed' || state === 'queued' ? 'Retry save' : 'Save to Zotero';
    line.className = `save-status ${LEVEL[state] ?? ''}`;
    line.textContent = message;
    line.dataset.state = state;
  }

  button.addEventListener('click', async () => {
    show('saving', 'Saving to Zotero…');
    try {
      const result = await ctx.client.save(id, { tags: getTags(), collection: getCollection() });
      show(result.status, saveStatusText(result));
    } catch (error) {
      show('failed', `Failed: ${error.message}`);
    }
    ctx.changed();
  });

  if (status === 'saved') show('saved', 'Saved to Zotero');
  else if (status === 'in_library') show('in_library', 'Already in your library');
  else show('new');
  return { button, line };
}
