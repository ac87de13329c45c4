// arXiv listing pages (/list/<archive>/new, recent, pastweek, <yyyy-mm>): mark the papers that
// match the user with a score badge and an inline save button; dismissed papers get a muted
// "dismissed" mark and no button. The background worker asks the server for every day the page
// shows (its dated headings, or each weekday of a month page), not only the newest.
(() => {
  const c = globalThis.paperfeedContent;
  if (!c) return;
  const MARK = 'paperfeed-mark';

  function entries() {
    const result = [];
    for (const dt of document.querySelectorAll('#dlpage dl > dt')) {
      const link = dt.querySelector('a[href*="/abs/"]');
      if (link && !dt.querySelector(`.${MARK}`)) result.push({ dt, href: link.getAttribute('href') });
    }
    return result;
  }

  function headings() {
    return [...document.querySelectorAll('#dlpage h3, #dlpage > ul li a')].map((node) => node.textContent).slice(0, 200);
  }

  function mark(dt, match) {
    const box = c.el('span', MARK);
    box.dataset.id = match.id;
    box.dataset.status = match.status;
    if (match.status === 'dismissed') {
      box.classList.add('paperfeed-dismissed');
      const label = c.el('span', 'paperfeed-score paperfeed-muted', 'paperfeed: dismissed');
      label.title = 'You dismissed this paper (undo in the popup)';
      box.append(label);
      dt.append(box);
      return;
    }
    const badge = c.el('span', 'paperfeed-score', `paperfeed ${c.scoreText(match.score)}`);
    badge.title = match.reason || 'Matches your interests';
    const save = c.saveWidget(match.id, { initial: match.state, tags: match.tags, collection: match.collection, compact: true });
    box.append(badge, save.button, save.status);
    dt.append(box);
  }

  async function run() {
    const found = entries();
    if (found.length === 0) return;
    const answer = await c.send({ type: 'listing-lookup', hrefs: found.map((e) => e.href), url: location.href, headings: headings() });
    if (!answer || answer.error) return; // not configured or server down: the page stays as arXiv made it
    for (const { dt, href } of found) {
      const match = answer.matches?.[href];
      if (match) mark(dt, match);
    }
    document.documentElement.dataset.paperfeedDays = (answer.days ?? []).map((day) => day ?? 'newest').join(',');
    document.documentElement.dataset.paperfeedMarked = String(Object.keys(answer.matches ?? {}).length);
  }

  run().catch((error) => console.warn('paperfeed: listing marks failed:', error?.message ?? error));
})();
