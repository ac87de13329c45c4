// The toolbar badge: how many of today's matches the user has not seen yet (pure).

/** Matches still "new" (not saved, dismissed or in the library) whose id is not in ``seenIds``. */
export function unseenCount(matches, seenIds) {
  const seen = new Set(seenIds ?? []);
  return (matches ?? []).filter((match) => match?.status === 'new' && !seen.has(match?.paper?.id)).length;
}

/** Badge text: empty for zero (no badge), "99+" past two digits so it fits. */
export function badgeText(count) {
  if (!Number.isInteger(count) || count <= 0) return '';
  return count > 99 ? '99+' : String(count);
}

/** The seen-ids record kept per announcement date, so yesterday's ids do not pile up. */
export function markSeen(record, date, ids) {
  const current = record?.date === date ? record.ids : [];
  return { date, ids: [...new Set([...current, ...ids])] };
}
