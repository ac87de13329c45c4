-- PostgreSQL twin of ../0006_rankings_order_index.sql.
-- @user
CREATE INDEX rankings_day_rank ON rankings (announce_date, rank);
