-- Karpenter.Orleans storage schema for PostgreSQL, part 1 of 4: the query catalogue.
--
-- Orleans' ADO.NET providers ship no SQL. At start each provider reads the text of the
-- statements it runs from OrleansQuery (QueryKey -> QueryText); the other scripts fill it.
-- Apply this one first, then Clustering, Persistence and Reminders, for example:
--   psql -v ON_ERROR_STOP=1 -f PostgreSQL-Main.sql   (and the other three, in that order)
-- Every script is idempotent: applying it again changes nothing but the query texts.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,

    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);
