-- Karpenter.Orleans storage schema for PostgreSQL, part 3 of 4: grain state.
-- Needs PostgreSQL-Main.sql. Used by AddAdoNetGrainStorage (invariant "Npgsql").
--
-- One row per (service, state name, grain key). The provider passes the state name as
-- GrainTypeString and the grain key split into GrainIdN0/GrainIdN1 (integer and Guid keys)
-- or GrainIdExtensionString (string keys, key extensions). The grain *type* is not part of
-- the key, so two grain types sharing both a key and a state name would share a row: give
-- every [PersistentState] its own name.
--
-- Version is the ETag. Each write must name the version it read (NULL: no row yet); a
-- write against any other version changes nothing and returns no version, which the
-- provider reports as InconsistentStateException.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              varchar(150) NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    -- '' when the grain has no string key or extension, so the primary key needs no NULLs.
    GrainIdExtensionString text         NOT NULL DEFAULT '',
    GrainTypeHash          integer      NOT NULL,
    GrainIdHash            integer      NOT NULL,
    -- NULL after a clear (ClearStateAsync without DeleteStateOnClear): the version lives on.
    PayloadBinary          bytea        NULL,
    Version                integer      NOT NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT PK_OrleansStorage
        PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);

-- Parameters of every query below: @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdN0,
-- @GrainIdN1, @GrainIdExtensionString (NULL when absent), @GrainIdHash; writes also get
-- @GrainStateVersion (NULL for a grain never written) and WriteToStorageKey @PayloadBinary.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'ReadFromStorageKey',
    $sql$
    SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '');
    $sql$
),
(
    -- First write inserts version 1; later writes bump the version they were given.
    -- Exactly one of the two branches can apply; a lost race returns no row (a conflict).
    'WriteToStorageKey',
    $sql$
    WITH inserted AS
    (
        INSERT INTO OrleansStorage
            (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString,
             GrainTypeHash, GrainIdHash, PayloadBinary, Version)
        SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''),
               @GrainTypeHash, @GrainIdHash, @PayloadBinary, 1
        WHERE CAST(@GrainStateVersion AS integer) IS NULL
        ON CONFLICT DO NOTHING
        RETURNING Version
    ),
    updated AS
    (
        UPDATE OrleansStorage
        SET PayloadBinary = @PayloadBinary, Version = Version + 1, ModifiedOn = now()
        WHERE ServiceId = @ServiceId
          AND GrainTypeString = @GrainTypeString
          AND GrainIdN0 = @GrainIdN0
          AND GrainIdN1 = @GrainIdN1
          AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
          AND @GrainStateVersion IS NOT NULL
          AND Version = @GrainStateVersion
        RETURNING Version
    )
    SELECT Version AS NewGrainStateVersion FROM inserted
    UNION ALL
    SELECT Version FROM updated;
    $sql$
),
(
    -- Keeps the row (and so the version sequence) but drops the payload.
    'ClearStorageKey',
    $sql$
    WITH inserted AS
    (
        INSERT INTO OrleansStorage
            (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString,
             GrainTypeHash, GrainIdHash, PayloadBinary, Version)
        SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''),
               @GrainTypeHash, @GrainIdHash, NULL, 1
        WHERE CAST(@GrainStateVersion AS integer) IS NULL
        ON CONFLICT DO NOTHING
        RETURNING Version
    ),
    updated AS
    (
        UPDATE OrleansStorage
        SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = now()
        WHERE ServiceId = @ServiceId
          AND GrainTypeString = @GrainTypeString
          AND GrainIdN0 = @GrainIdN0
          AND GrainIdN1 = @GrainIdN1
          AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
          AND @GrainStateVersion IS NOT NULL
          AND Version = @GrainStateVersion
        RETURNING Version
    )
    SELECT Version AS NewGrainStateVersion FROM inserted
    UNION ALL
    SELECT Version FROM updated;
    $sql$
),
(
    -- Only with DeleteStateOnClear=true. The provider wants a value that differs from the
    -- version it sent, so the deleted row answers with its next version.
    'DeleteStorageKey',
    $sql$
    DELETE FROM OrleansStorage
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = COALESCE(@GrainIdExtensionString, '')
      AND Version = @GrainStateVersion
    RETURNING Version + 1 AS NewGrainStateVersion;
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
