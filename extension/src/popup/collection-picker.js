// The Zotero collection to save into: the synced collections, the suggestion preselected.

import { el } from '../lib/dom.js';

/** "Parent / Child" paths so nested collections with the same name stay distinguishable. */
export function collectionLabels(items) {
  const byKey = new Map((items ?? []).map((item) => [item.key, item]));
  const label = (item, depth = 0) => {
    const parent = item.parent && byKey.get(item.parent);
    return parent && depth < 8 ? `${label(parent, depth + 1)} / ${item.name}` : item.name;
  };
  return (items ?? []).map((item) => ({ key: item.key, label: label(item) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export function collectionPicker(collectionsPromise, suggested, { label = 'paper' } = {}) {
  const select = el('select', { 'aria-label': `Zotero collection for ${label}` },
    el('option', { value: '' }, 'No collection'));
  if (suggested?.key) {
    select.append(el('option', { value: suggested.key, selected: true }, suggested.name || suggested.key));
    select.value = suggested.key;
  }
  // A long "Parent / Child" path is cut with … in the narrow popup: the whole path is the tooltip.
  const showTitle = () => { select.title = select.selectedOptions[0]?.textContent ?? ''; };
  select.addEventListener('change', showTitle);
  showTitle();
  Promise.resolve(collectionsPromise).then((items) => {
    const chosen = select.value;
    const options = collectionLabels(items ?? []).map(({ key, label: text }) => el('option', { value: key }, text));
    select.replaceChildren(el('option', { value: '' }, 'No collection'), ...options);
    if (chosen && ![...select.options].some((option) => option.value === chosen)) {
      select.append(el('option', { value: chosen }, suggested?.name || chosen));
    }
    select.value = chosen;
    showTitle();
  }).catch(() => { /* keep the suggestion only; the list shows the server error elsewhere */ });
  return { element: select, getValue: () => select.value || null,
    getName: () => (select.value ? select.selectedOptions[0]?.textContent ?? null : null) };
}
