-- A day's ranking is always read in rank order (the popup's hot query): serve it from an index.
CREATE INDEX rankings_day_rank ON rankings (announce_date, rank);
