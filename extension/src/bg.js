// Background (service worker in Chromium, event page in Firefox): each feature isolated.

import { initBadge } from './bg/badge.js';
import { initContextMenu } from './bg/context-menu.js';
import { initMessages } from './bg/messages.js';
import { initShortcut } from './bg/shortcut.js';
import { isolatedSync } from './lib/features.js';

isolatedSync('messages', initMessages);
isolatedSync('badge', initBadge);
isolatedSync('shortcut', initShortcut);
isolatedSync('context-menu', initContextMenu);
