// Empty and error states: a title, what happened, and what to do about it (a command shown once).

import { el } from '../lib/dom.js';

export function stateView(state, { openOptions }) {
  return el('div', { className: `state state-${state.kind}`, dataset: { state: state.kind, reason: state.reason ?? '' } },
    el('h3', {}, state.title),
    state.detail ? el('p', { className: 'muted state-detail' }, state.detail) : null,
    state.hint ? el('p', { className: 'state-hint' }, state.hint) : null,
    state.command ? el('p', { className: 'state-command' }, el('code', {}, state.command)) : null,
    state.action === 'options' ? el('button', { type: 'button', className: 'primary', onclick: openOptions }, 'Open options') : null);
}
