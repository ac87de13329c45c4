// arXiv abstract pages (/abs/ID): under the title, the paper's paperfeed score and reason and a
// save button with the popup's states (saved with its tags and collection, queued, failed).
(() => {
  const c = globalThis.paperfeedContent;
  if (!c) return;

  async function run() {
    const heading = document.querySelector('h1.title');
    if (!heading || document.querySelector('.paperfeed-abs')) return;
    const answer = await c.send({ type: 'paper-lookup', url: location.href });
    if (!answer || answer.error || !answer.id) return; // not configured or server down: page untouched
    const box = c.el('section', 'paperfeed-abs');
    box.setAttribute('aria-label', 'paperfeed');
    box.dataset.id = answer.id;
    const head = c.el('div', 'paperfeed-abs-head');
    if (answer.match) {
      const score = c.el('span', 'paperfeed-score', `paperfeed ${c.scoreText(answer.match.score)}`);
      head.append(score);
    } else {
      head.append(c.el('span', 'paperfeed-score paperfeed-muted', 'paperfeed'));
    }
    const save = c.saveWidget(answer.id, { initial: answer.state, label: answer.title || `arXiv:${answer.id}` });
    head.append(save.button, save.status);
    box.append(head);
    const reason = answer.match?.reason || (answer.match ? '' : 'Not among your ranked matches.');
    if (reason) box.append(c.el('p', 'paperfeed-reason', reason));
    if (answer.match?.status === 'dismissed') box.append(c.el('p', 'paperfeed-reason', 'You dismissed this paper.'));
    const hints = [];
    if (answer.match?.tags?.length) hints.push(`Suggested tags: ${answer.match.tags.join(', ')}`);
    if (answer.match?.collection?.name) hints.push(`collection: ${answer.match.collection.name}`);
    if (hints.length && answer.state?.state !== 'saved') box.append(c.el('p', 'paperfeed-hint', hints.join(' · ')));
    heading.after(box);
    document.documentElement.dataset.paperfeedAbs = answer.match ? 'match' : 'no-match';
  }

  run().catch((error) => console.warn('paperfeed: abstract page failed:', error?.message ?? error));
})();
