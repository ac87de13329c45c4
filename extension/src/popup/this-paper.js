// On an arXiv page (abs, pdf, html) the popup leads with that paper, known from the URL alone:
// in the library or not, one-click save with tags, BibTeX; then related new papers.

import { el } from '../lib/dom.js';
import { cleanText, formatAuthors, formatScore } from '../lib/format.js';
import { classifyUrl } from '../lib/ids.js';
import { saveStateOf } from '../lib/save-state.js';
import { matchCard } from './card.js';
import { collectionPicker } from './collection-picker.js';
import { saveControl } from './save-control.js';
import { tagChips } from './tag-chips.js';

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Some browsers refuse the async clipboard in extension popups: fall back to a selection copy.
  }
  const area = el('textarea', { className: 'offscreen', readOnly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

function bibtexControls(ctx, id, initial) {
  let bibtex = initial || '';
  const status = el('span', { className: 'muted copy-status', role: 'status' });
  const pre = el('pre', { className: 'bibtex' }, bibtex);
  const ensure = async () => {
    if (!bibtex) bibtex = await ctx.client.bibtex(id);
    pre.textContent = bibtex;
    return bibtex;
  };
  const button = el('button', {
    type: 'button', className: 'copy-bibtex',
    onclick: async () => {
      try {
        await copyText(await ensure());
        status.textContent = 'BibTeX copied';
        status.className = 'ok copy-status';
      } catch (error) {
        status.textContent = `Could not copy BibTeX: ${error.message}`;
        status.className = 'bad copy-status';
      }
    },
  }, 'Copy BibTeX');
  const details = el('details', { className: 'bibtex-box', ontoggle: () => ensure().catch(() => {}) },
    el('summary', {}, 'Show BibTeX'), pre);
  return { button, status, details };
}

export async function initThisPaper(ctx) {
  const section = document.getElementById('this-paper');
  const page = classifyUrl(ctx.tabUrl ?? '');
  if (page.kind !== 'paper') return;
  section.hidden = false;
  section.append(el('h2', {}, 'This paper'), el('p', { className: 'muted' }, `Looking up arXiv:${page.id}…`));

  let detail;
  try {
    detail = await ctx.client.paper(page.id);
  } catch (error) {
    if (error.kind === 'unreachable' || error.kind === 'not_configured' || error.kind === 'unauthorized') {
      section.hidden = true; // the list below explains the connection problem once
      return;
    }
    const unknown = error.kind === 'not_found';
    const save = saveControl(ctx, page.id, { getTags: () => [], getCollection: () => null, label: `arXiv:${page.id}` });
    section.replaceChildren(el('h2', {}, 'This paper'),
      el('p', {}, `arXiv:${page.id}`),
      el('p', { className: 'muted' }, unknown ? 'paperfeed has not seen this paper yet; saving fetches its metadata from arXiv.' : error.message),
      el('div', { className: 'actions' }, save.button, save.line));
    return;
  }

  const paper = detail.paper ?? {};
  const match = detail.match;
  const title = cleanText(paper.title) || page.id;
  const inLibrary = Boolean(detail.in_library);
  const initial = saveStateOf(detail);
  const savedWith = initial.state === 'saved' || initial.state === 'queued';
  const chips = tagChips(savedWith && initial.tags.length ? initial.tags.filter((t) => t !== 'paperfeed') : match?.tags ?? [], { label: title });
  const picker = collectionPicker(ctx.collections, savedWith && initial.collection ? initial.collection : match?.collection, { label: title });
  const save = saveControl(ctx, paper.id ?? page.id, {
    getTags: chips.getTags, getCollection: picker.getValue, getCollectionName: picker.getName, initial, label: title,
  });
  const bib = bibtexControls(ctx, paper.id ?? page.id, detail.bibtex);

  section.replaceChildren(...[
    el('h2', {}, 'This paper'),
    el('div', { className: 'card-head' },
      el('a', { className: 'card-title', href: paper.abs_url || `https://arxiv.org/abs/${page.id}`, target: '_blank', rel: 'noopener noreferrer' }, title),
      match ? el('span', { className: 'score', title: `Relevance score ${match.score} (0-100: ${formatScore(match.score)})` }, el('span', { className: 'sr-only' }, 'Relevance '), formatScore(match.score)) : null),
    el('p', { className: 'authors muted' }, formatAuthors(paper.authors)),
    el('p', { className: `library-flag ${inLibrary ? 'ok' : 'muted'}`, dataset: { inLibrary: String(inLibrary) } },
      inLibrary ? 'In your Zotero library' : 'Not in your Zotero library'),
    match?.reason ? el('p', { className: 'reason' }, cleanText(match.reason)) : null,
    chips.element,
    el('div', { className: 'actions' }, save.button, picker.element, bib.button, save.line, bib.status),
    bib.details,
  ].filter(Boolean));

  const related = detail.related ?? [];
  if (related.length) {
    section.append(el('h2', { className: 'related-head' }, 'Related new papers'),
      el('ol', { className: 'cards related' }, ...related.map((item) => matchCard(item, ctx))));
  }
}
