-- Twin of ../0007_outbox_version.sql.
-- The arXiv version the user saved (a versioned id such as 2501.01234v2), else NULL: Zotero's
-- arXiv translator writes "version: N" in extra for a versioned URL, and so do we.
-- @user
ALTER TABLE zotero_outbox ADD COLUMN version INTEGER;
