-- Karpenter.Orleans storage schema for SQLite, part 1 of 2: the query catalogue.
--
-- Orleans' ADO.NET providers ship no SQL. At start each provider reads the text of the
-- statements it runs from OrleansQuery (QueryKey -> QueryText); Sqlite-Persistence.sql
-- fills it. SQLite backs grain state only: Orleans has no SQLite clustering or reminders.
-- Apply this one first, for example:
--   sqlite3 .karpo/karpo.db < Sqlite-Main.sql && sqlite3 .karpo/karpo.db < Sqlite-Persistence.sql
-- Both scripts are idempotent.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
