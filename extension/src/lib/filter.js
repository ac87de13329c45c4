// The popup's filter box: every word must appear in the title, authors, abstract, reason or tags.

import { cleanText } from './format.js';

function haystack(match) {
  const paper = match?.paper ?? {};
  return cleanText([
    paper.id, paper.title, ...(paper.authors ?? []), paper.abstract, match?.reason, ...(match?.tags ?? []),
    ...(paper.categories ?? []),
  ].filter(Boolean).join(' ')).toLowerCase();
}

export function matchesFilter(match, text) {
  const words = cleanText(text).toLowerCase().split(' ').filter(Boolean);
  if (words.length === 0) return true;
  const hay = haystack(match);
  return words.every((word) => hay.includes(word));
}

export function filterMatches(matches, text) {
  return (matches ?? []).filter((match) => matchesFilter(match, text));
}
