// Editable tag chips: suggested tags shown as removable chips, new ones typed in (Enter or comma).

import { el } from '../lib/dom.js';
import { addTags, uniqueTags } from '../lib/format.js';

export function tagChips(initialTags, { label = 'tags' } = {}) {
  let tags = uniqueTags(initialTags);
  const list = el('span', { className: 'chip-list' });
  const input = el('input', {
    className: 'chip-input', type: 'text', placeholder: '+ tag', 'aria-label': `Add a tag to ${label}`,
    onkeydown: (event) => {
      if ((event.key === 'Enter' || event.key === ',') && input.value.trim()) {
        event.preventDefault();
        commit();
      } else if (event.key === 'Backspace' && !input.value && tags.length) {
        tags = tags.slice(0, -1);
        render();
      }
    },
    onblur: () => commit(),
  });

  function commit() {
    if (!input.value.trim()) return;
    tags = addTags(tags, input.value);
    input.value = '';
    render();
  }

  function render() {
    list.replaceChildren(...tags.map((tag) => el('span', { className: 'chip', dataset: { tag } },
      tag,
      el('button', {
        type: 'button', title: `Remove tag ${tag}`, 'aria-label': `Remove tag ${tag}`,
        onclick: () => { tags = tags.filter((t) => t !== tag); render(); input.focus(); },
      }, '×'))));
  }

  render();
  const element = el('div', { className: 'chips', role: 'group', 'aria-label': 'Tags' }, list, input);
  return {
    element,
    getTags: () => { commit(); return [...tags]; },
  };
}
