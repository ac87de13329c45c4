// Shared by the listing-page and abstract-page content scripts (classic scripts in one isolated
// world: this file runs first). The server is reached through the background worker only.
(() => {
  if (globalThis.paperfeedContent) return;
  const api = globalThis.browser ?? globalThis.chrome;
  const POLL_MS = 2000;
  const POLL_MAX_MS = 120000;
  const DONE = new Set(['saved', 'in_library']);

  const send = (message) => api.runtime.sendMessage(message);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** 0..1 as a whole percentage ("87"), like the popup. */
  function scoreText(score) {
    if (typeof score !== 'number' || !Number.isFinite(score)) return '–';
    return score >= 0 && score <= 1 ? String(Math.round(score * 100)) : score.toFixed(2);
  }

  /** Why a save is queued, in the server's words (a 503, a key without write access). */
  const queuedWhy = (message) => String(message ?? '').replace(/^queued:\s*/i, '').trim();

  /**
   * A save button and its status with the popup's states: Save to Zotero, Saving…, In Zotero ✓
   * (and what it was saved with), Queued… (polls until it settles), Retry save (failed only).
   */
  function saveWidget(id, { initial = { state: 'new' }, tags = null, collection, label = `arXiv:${id}`, compact = false } = {}) {
    const button = el('button', 'paperfeed-save');
    button.type = 'button';
    const status = el('span', 'paperfeed-status');
    status.setAttribute('role', 'status');
    let polling = false;

    function show(state) {
      const kind = state?.state ?? 'failed';
      status.dataset.state = kind;
      button.disabled = DONE.has(kind) || kind === 'saving' || kind === 'queued';
      button.textContent = kind === 'saving' ? 'Saving…' : DONE.has(kind) ? 'In Zotero ✓'
        : kind === 'queued' ? 'Queued…' : kind === 'failed' ? 'Retry save' : 'Save to Zotero';
      button.classList.toggle('paperfeed-failed', kind === 'failed');
      button.setAttribute('aria-label', `${button.textContent}: ${label}`);
      status.classList.toggle('paperfeed-bad', kind === 'failed');
      status.textContent = kind === 'failed' ? (state?.message || state?.error || 'the save failed')
        : kind === 'queued' ? `queued: paperfeed retries by itself${queuedWhy(state?.message) && !compact ? ` (${queuedWhy(state?.message)})` : ''}`
          : kind === 'saved' ? (state?.savedWith ?? '') : '';
      // On a listing line (compact) the reason is the tooltip; the abstract page's box says it.
      status.title = kind === 'queued' && compact ? queuedWhy(state?.message) : '';
      if (kind === 'queued') poll();
    }

    async function poll() {
      if (polling) return;
      polling = true;
      const deadline = Date.now() + POLL_MAX_MS;
      while (Date.now() < deadline) {
        await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
        let answer;
        try {
          answer = await send({ type: 'paper-state', id });
        } catch {
          continue;
        }
        if (answer?.state && answer.state !== 'queued' && answer.state !== 'new') {
          polling = false;
          show(answer);
          return;
        }
      }
      polling = false;
    }

    button.addEventListener('click', async () => {
      show({ state: 'saving' });
      let answer;
      try {
        answer = await send({ type: 'save', id, tags, collection });
      } catch (error) {
        answer = { state: 'failed', message: error.message };
      }
      show(answer?.state ? answer : { state: 'failed', message: answer?.error || 'the save failed' });
    });
    show(initial);
    return { button, status, show };
  }

  globalThis.paperfeedContent = { api, send, el, scoreText, saveWidget };
})();
