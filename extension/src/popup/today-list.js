// Today's matches, best first, with the filter box and the empty states.

import { allMatches } from '../lib/api.js';
import { clear, el } from '../lib/dom.js';
import { filterMatches } from '../lib/filter.js';
import { formatDay, plural } from '../lib/format.js';
import { listBanner, listState } from '../lib/states.js';
import { matchCard } from './card.js';
import { stateView } from './state-view.js';

export async function initTodayList(ctx) {
  const list = document.getElementById('list');
  const stateBox = document.getElementById('state');
  const count = document.getElementById('count');
  const filter = document.getElementById('filter');
  clear(list);
  clear(stateBox);
  stateBox.append(el('p', { className: 'muted state-loading' }, 'Loading today’s papers…'));

  let response = null;
  let error = null;
  try {
    response = await allMatches(ctx.client, {});
  } catch (caught) {
    error = caught;
  }
  const state = listState(ctx.settings, response, error);
  clear(stateBox);
  document.getElementById('day').textContent = response?.date ? formatDay(response.date) : '';
  if (state.kind !== 'list') {
    stateBox.append(stateView(state, ctx));
    filter.hidden = true;
    const keys = document.getElementById('keys'); // no papers to move between: no key help
    if (keys && document.getElementById('this-paper').hidden) keys.hidden = true;
    count.textContent = '';
    return { response, state };
  }

  const banner = listBanner(response);
  if (banner) stateBox.append(el('p', { className: 'banner', role: 'note' }, banner));
  const matches = [...response.items].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0) || b.score - a.score);
  const cards = new Map(matches.map((match) => [match, matchCard(match, ctx)]));
  list.append(...cards.values());
  const total = response.total ?? matches.length;
  const showCount = (shown) => {
    count.textContent = shown === matches.length ? plural(total, 'paper') : `${shown} of ${plural(total, 'paper')}`;
  };
  showCount(matches.length);
  filter.hidden = false;
  const noneShown = el('p', { className: 'muted state', hidden: true }, 'No paper matches the filter.');
  stateBox.append(noneShown);
  filter.addEventListener('input', () => {
    const visible = new Set(filterMatches(matches, filter.value));
    for (const [match, card] of cards) card.hidden = !visible.has(match);
    noneShown.hidden = visible.size > 0;
    showCount(visible.size);
  });
  return { response, state };
}
