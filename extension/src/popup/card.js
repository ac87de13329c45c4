// One matched paper: title (to arXiv), authors, score, reason, tags, collection, abstract, actions.

import { el } from '../lib/dom.js';
import { cleanText, formatAuthors, formatScore } from '../lib/format.js';
import { saveStateOf } from '../lib/save-state.js';
import { collectionPicker } from './collection-picker.js';
import { saveControl } from './save-control.js';
import { tagChips } from './tag-chips.js';

export function matchCard(match, ctx) {
  const paper = match.paper ?? {};
  const title = cleanText(paper.title) || paper.id;
  // A paper saved before shows what it was saved with; otherwise the suggestions.
  const initial = saveStateOf(match);
  const savedWith = initial.state === 'saved' || initial.state === 'queued';
  const chips = tagChips(savedWith && initial.tags.length ? initial.tags.filter((t) => t !== 'paperfeed') : match.tags, { label: title });
  const picker = collectionPicker(ctx.collections, savedWith && initial.collection ? initial.collection : match.collection, { label: title });
  const save = saveControl(ctx, paper.id, {
    getTags: chips.getTags, getCollection: picker.getValue, getCollectionName: picker.getName, initial, label: title,
  });
  const card = el('li', { className: 'card', dataset: { id: paper.id, status: match.status } });
  const undoLine = el('div', { className: 'dismissed-line', hidden: true });

  const dismiss = el('button', {
    type: 'button', className: 'dismiss', 'aria-label': `Dismiss ${title}`,
    onclick: async () => {
      dismiss.disabled = true;
      try {
        await ctx.client.dismiss(paper.id);
        setDismissed(true);
      } catch (error) {
        save.line.className = 'save-status bad';
        save.line.textContent = `Could not dismiss: ${error.message}`;
      } finally {
        dismiss.disabled = false;
      }
      ctx.changed();
    },
  }, 'Dismiss');
  const undo = el('button', {
    type: 'button', className: 'undo', 'aria-label': `Undo dismiss of ${title}`,
    onclick: async () => {
      undo.disabled = true;
      try {
        await ctx.client.undo(paper.id);
        setDismissed(false);
        dismiss.focus();
      } catch (error) {
        undoText.textContent = `Could not undo: ${error.message}`;
      } finally {
        undo.disabled = false;
      }
      ctx.changed();
    },
  }, 'Undo');
  const undoText = el('span', { className: 'muted' }, `Dismissed: ${title} `);
  undoLine.append(undoText, undo);

  function setDismissed(dismissed) {
    card.classList.toggle('dismissed', dismissed);
    card.dataset.status = dismissed ? 'dismissed' : 'new';
    undoLine.hidden = !dismissed;
    if (dismissed) undo.focus();
  }

  const meta = [paper.primary_category, paper.id].filter(Boolean).join(' · ');
  card.append(
    undoLine,
    el('div', { className: 'card-body' },
      el('div', { className: 'card-head' },
        el('a', { className: 'card-title', href: paper.abs_url || `https://arxiv.org/abs/${paper.id}`, target: '_blank', rel: 'noopener noreferrer' }, title),
        el('span', { className: 'score', title: `Relevance score ${match.score} (0-100: ${formatScore(match.score)})` }, el('span', { className: 'sr-only' }, 'Relevance '), formatScore(match.score))),
      el('p', { className: 'authors muted' }, formatAuthors(paper.authors)),
      match.reason ? el('p', { className: 'reason' }, cleanText(match.reason)) : null,
      el('p', { className: 'meta muted' }, meta),
      paper.abstract ? el('details', { className: 'abstract' },
        el('summary', {}, 'Abstract'), el('p', {}, cleanText(paper.abstract))) : null,
      chips.element,
      el('div', { className: 'actions' }, save.button, picker.element, dismiss, save.line)),
  );
  if (match.status === 'dismissed') setDismissed(true);
  return card;
}
