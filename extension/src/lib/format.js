// Pure formatting for what the popup, options page and content script show.

/** "A, B, C et al." (at most ``max`` names) so a card stays readable at popup width. */
export function formatAuthors(authors, max = 3) {
  const names = (Array.isArray(authors) ? authors : []).filter((name) => typeof name === 'string' && name.trim());
  if (names.length === 0) return 'Unknown authors';
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} et al. (${names.length} authors)`;
}

/** A 0..1 relevance as a whole percentage ("87"), read at a glance; other scales as two decimals. */
export function formatScore(score) {
  if (typeof score !== 'number' || !Number.isFinite(score)) return '–';
  if (score >= 0 && score <= 1) return String(Math.round(score * 100));
  return score.toFixed(2);
}

/** "Wed 24 Sep 2025" for an ISO date, without the timezone shift ``new Date("2025-09-24")`` has. */
export function formatDay(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate ?? '');
  if (!match) return isoDate ?? '';
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return day.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/**
 * A server timestamp ("2026-11-30T14:45:38Z") in the user's own time and words: "today 14:45",
 * "yesterday 09:10", "Mon 23 Nov 14:45" (the year only when it is not this year). ``locale`` and
 * ``timeZone`` default to the browser's; tests pin them.
 */
export function formatWhen(iso, { now = new Date(), locale = undefined, timeZone = undefined } = {}) {
  if (typeof iso !== 'string' || !iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', timeZone });
  const dayKey = (value) => value.toLocaleDateString('en-CA', { timeZone }); // YYYY-MM-DD in that zone
  const today = dayKey(now);
  if (dayKey(date) === today) return `today ${time}`;
  if (dayKey(new Date(now.getTime() - 86400000)) === dayKey(date)) return `yesterday ${time}`;
  const sameYear = dayKey(date).slice(0, 4) === today.slice(0, 4);
  const day = date.toLocaleDateString(locale, {
    weekday: 'short', day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric', timeZone,
  });
  return `${day} ${time}`;
}

/** Collapse whitespace runs (feeds wrap abstracts at 80 columns). */
export function cleanText(text) {
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '';
}

/** "1 paper" / "3 papers". */
export function plural(count, noun, pluralNoun = `${noun}s`) {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

/** A tag as Zotero accepts it: trimmed, inner whitespace collapsed, at most 255 characters. */
export function normaliseTag(text) {
  return cleanText(text).slice(0, 255);
}

/** Add tags from user input ("a, b") to a list, without duplicates (case-insensitive). */
export function addTags(tags, input) {
  return uniqueTags([...tags, ...String(input ?? '').split(',')]);
}

/**
 * Tags that are already separate (the server's suggestions: a Zotero tag may contain a comma,
 * "Smith, J."), normalised, without empties or duplicates (case-insensitive); never split.
 */
export function uniqueTags(list) {
  const result = [];
  const seen = new Set();
  for (const item of list ?? []) {
    const tag = normaliseTag(item);
    if (tag && !seen.has(tag.toLowerCase())) {
      seen.add(tag.toLowerCase());
      result.push(tag);
    }
  }
  return result;
}

/** The user-facing line for a save result (the server's status vocabulary). */
export function saveStatusText(result) {
  // The server may start its message with the status ("queued: Zotero answered 503"): say it once.
  const reason = String(result?.message ?? '').replace(new RegExp(`^${result?.status}:\\s*`, 'i'), '').trim();
  const message = reason ? `: ${reason}` : '';
  switch (result?.status) {
    case 'saved': return 'Saved to Zotero';
    case 'already_in_library': return 'Already in your library';
    case 'queued': return `Queued, will retry${message}`;
    case 'failed': return `Failed${message || ': unknown error'}`;
    default: return `Unexpected answer from the server (${String(result?.status)})`;
  }
}
