// Which announcement days an arXiv listing page shows, so the listing marks ask the server for
// each day's matches (not only the newest ranked day). Pure; unit tested.

import { listingFromUrl } from './ids.js';

const MONTHS = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_TEXT = /\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})\b/i;
export const MAX_DAYS = 31;

const iso = (year, month, day) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** "Fri, 22 Nov 2024 (showing 75 of 75 entries)" -> "2024-11-22"; null when there is no date. */
export function dayFromHeading(text) {
  const match = DAY_TEXT.exec(String(text ?? ''));
  if (!match) return null;
  const day = Number(match[1]);
  const month = MONTHS[match[2].toLowerCase()];
  const year = Number(match[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCDate() === day ? iso(year, month, day) : null;
}

/** Monday to Friday of a month (arXiv announces on weekdays), not after ``today`` (YYYY-MM-DD). */
export function weekdaysOfMonth(year, month, today) {
  const days = [];
  for (let day = 1; day <= 31; day += 1) {
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1) break;
    const text = iso(year, month, day);
    if (today && text > today) break;
    if (date.getUTCDay() !== 0 && date.getUTCDay() !== 6) days.push(text);
  }
  return days;
}

/**
 * The days to ask for: the dated headings of /recent, /pastweek (and /current) pages; every
 * weekday of a /list/<cat>/<yyyy-mm> page; ``[null]`` (the newest ranked day) for /new pages and
 * pages without dates. At most MAX_DAYS, newest first.
 */
export function listingDays(url, headings = [], today = new Date().toISOString().slice(0, 10)) {
  const listing = listingFromUrl(url);
  if (!listing || listing.period === 'new') return [null];
  const monthly = /^(\d{4})-(\d{2})$/.exec(listing.period);
  let days;
  if (monthly) {
    const month = Number(monthly[2]);
    days = month >= 1 && month <= 12 ? weekdaysOfMonth(Number(monthly[1]), month, today) : [];
  } else {
    days = (headings ?? []).map(dayFromHeading).filter(Boolean);
  }
  const unique = [...new Set(days)].sort().reverse().slice(0, MAX_DAYS);
  return unique.length ? unique : [null];
}
