// Keyboard shortcut "save this paper": the active tab's arXiv paper (abs, pdf or html page).

import { paperFromUrl } from '../lib/ids.js';
import { api } from '../lib/settings.js';
import { flashBadge } from './badge.js';
import { savePaper } from './save.js';

export function initShortcut() {
  api.commands.onCommand.addListener(async (command, tab) => {
    if (command !== 'save-this-paper') return;
    const active = tab ?? (await api.tabs.query({ active: true, currentWindow: true }))[0];
    const paper = paperFromUrl(active?.url ?? '');
    if (!paper) {
      await flashBadge(false, 'paperfeed: this tab is not an arXiv paper');
      return;
    }
    await savePaper(paper.id, { flash: true });
  });
}
