// Context menu "Save arXiv link to Zotero" on links to arXiv papers.

import { paperFromUrl } from '../lib/ids.js';
import { api } from '../lib/settings.js';
import { flashBadge } from './badge.js';
import { savePaper } from './save.js';

const MENU_ID = 'save-arxiv-link';
const LINK_PATTERNS = ['abs', 'pdf', 'html'].flatMap((kind) =>
  ['https://arxiv.org', 'http://arxiv.org', 'https://www.arxiv.org', 'https://export.arxiv.org']
    .map((origin) => `${origin}/${kind}/*`));

export function initContextMenu() {
  api.runtime.onInstalled.addListener(async () => {
    // Promise form: Firefox's browser.* API takes no callbacks, Chromium's MV3 API returns promises too.
    await api.contextMenus.removeAll();
    api.contextMenus.create({
      id: MENU_ID, title: 'Save arXiv link to Zotero', contexts: ['link'], targetUrlPatterns: LINK_PATTERNS,
    });
  });
  api.contextMenus.onClicked.addListener(async (info) => {
    if (info.menuItemId !== MENU_ID) return;
    const paper = paperFromUrl(info.linkUrl ?? '');
    if (!paper) {
      await flashBadge(false, 'paperfeed: that link is not an arXiv paper');
      return;
    }
    await savePaper(paper.id, { flash: true });
  });
}
