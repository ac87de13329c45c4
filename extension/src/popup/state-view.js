// Empty and error states: a title, what happened, and what to do about it.

import { el } from '../lib/dom.js';

export function stateView(state, { openOptions }) {
  return el('div', { className: `state state-${state.kind}`, dataset: { state: state.kind } },
    el('h3', {}, state.title),
    el('p', { className: 'muted' }, state.detail),
    state.command ? el('p', {}, el('code', {}, state.command)) : null,
    state.action === 'options' ? el('button', { type: 'button', className: 'primary', onclick: openOptions }, 'Open options') : null);
}
