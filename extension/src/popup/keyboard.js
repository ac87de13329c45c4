// Keyboard use of the popup: ↓/↑ or j/k move between papers, s saves the paper in focus,
// / goes to the filter, Escape clears the filter or a half-typed tag, else closes the popup.
// Keys never fire while typing in a field (except Escape).

const CARDS = '#this-paper:not([hidden]), #list > li.card:not([hidden])';

function isTyping(node) {
  return Boolean(node && (node.tagName === 'INPUT' || node.tagName === 'TEXTAREA' || node.tagName === 'SELECT' || node.isContentEditable));
}

export function initKeyboard(doc = document, { close = () => globalThis.close() } = {}) {
  const cards = () => [...doc.querySelectorAll(CARDS)].filter((card) => !card.classList.contains('dismissed'));
  const current = () => doc.activeElement?.closest?.('#this-paper, #list > li.card') ?? null;

  function move(step) {
    const list = cards();
    if (list.length === 0) return;
    const at = list.indexOf(current());
    const next = list[at < 0 ? 0 : Math.max(0, Math.min(list.length - 1, at + step))];
    (next.querySelector('.card-title') ?? next).focus();
    next.scrollIntoView?.({ block: 'nearest' });
  }

  doc.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const target = event.target;
    if (event.key === 'Escape') {
      if (isTyping(target) && target.value) {
        target.value = '';
        target.dispatchEvent(new Event('input', { bubbles: true }));
      } else if (isTyping(target)) {
        target.blur();
      } else {
        close();
      }
      event.preventDefault();
      return;
    }
    if (isTyping(target)) return;
    const key = event.key;
    if (key === 'ArrowDown' || key === 'j') move(1);
    else if (key === 'ArrowUp' || key === 'k') move(-1);
    else if (key === '/') doc.getElementById('filter')?.focus();
    else if (key === 's') {
      const button = current()?.querySelector('button.save');
      if (!button || button.disabled) return;
      button.click();
    } else return;
    event.preventDefault();
  });
}
