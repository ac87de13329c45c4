// arXiv listing pages (/list/<archive>/new, recent, ...): mark the papers that match the user
// with a score badge and an inline save button. A classic script (content scripts cannot be
// modules); ids are resolved and the server is called by the background worker.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const MARK = 'paperfeed-mark';

  function entries() {
    const result = [];
    for (const dt of document.querySelectorAll('#dlpage dl > dt')) {
      const link = dt.querySelector('a[href*="/abs/"]');
      if (link && !dt.querySelector(`.${MARK}`)) result.push({ dt, href: link.getAttribute('href') });
    }
    return result;
  }

  function button(text, className, onclick) {
    const node = document.createElement('button');
    node.type = 'button';
    node.className = className;
    node.textContent = text;
    node.addEventListener('click', onclick);
    return node;
  }

  function mark(dt, match) {
    const box = document.createElement('span');
    box.className = MARK;
    box.dataset.id = match.id;
    const badge = document.createElement('span');
    badge.className = 'paperfeed-score';
    const pct = match.score >= 0 && match.score <= 1 ? Math.round(match.score * 100) : Number(match.score).toFixed(2);
    badge.textContent = `paperfeed ${pct}`;
    badge.title = match.reason || 'Matches your interests';
    const status = document.createElement('span');
    status.className = 'paperfeed-status';
    status.setAttribute('role', 'status');
    const done = match.status === 'saved' || match.status === 'in_library';
    const save = button(done ? 'In Zotero ✓' : 'Save to Zotero', 'paperfeed-save', async () => {
      save.disabled = true;
      save.textContent = 'Saving…';
      let result;
      try {
        result = await api.runtime.sendMessage({ type: 'save', id: match.id, tags: match.tags, collection: match.collection });
      } catch (error) {
        result = { status: 'failed', message: error.message };
      }
      const ok = result?.status === 'saved' || result?.status === 'already_in_library';
      save.textContent = ok ? 'In Zotero ✓' : result?.status === 'queued' ? 'Queued' : 'Retry save';
      save.disabled = ok;
      status.dataset.state = result?.status ?? 'failed';
      status.textContent = ok ? '' : ` ${result?.message || result?.error || 'failed'}`;
    });
    save.disabled = done;
    save.setAttribute('aria-label', `Save arXiv:${match.id} to Zotero`);
    box.append(badge, save, status);
    dt.append(box);
  }

  async function run() {
    const found = entries();
    if (found.length === 0) return;
    const answer = await api.runtime.sendMessage({ type: 'listing-lookup', hrefs: found.map((e) => e.href) });
    if (!answer || answer.error) return; // not configured or server down: the page stays as arXiv made it
    for (const { dt, href } of found) {
      const match = answer.matches?.[href];
      if (match) mark(dt, match);
    }
    document.documentElement.dataset.paperfeedMarked = String(Object.keys(answer.matches ?? {}).length);
  }

  run().catch((error) => console.warn('paperfeed: listing marks failed:', error?.message ?? error));
})();
