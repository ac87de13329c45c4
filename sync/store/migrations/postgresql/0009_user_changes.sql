-- PostgreSQL only (a lab server). A user's change counter, next to their token hash: the API reads
-- the user behind a token and their change marker (users.changes, public.store_changes) in one
-- query, so a request answered from the page cache costs one round trip. Every write transaction
-- of the user's store bumps it (the single-user schema keeps its own store_changes row).
ALTER TABLE users ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;
