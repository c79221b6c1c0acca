-- Karpenter.Orleans storage schema for SQLite, part 2 of 2: grain state.
-- Needs Sqlite-Main.sql. Used by AddAdoNetGrainStorage with invariant "System.Data.SQLite"
-- (which Orleans maps to Microsoft.Data.Sqlite). Needs SQLite 3.35 or later (RETURNING).
--
-- Same model as PostgreSQL-Persistence.sql: one row per (service, state name, grain key);
-- the grain type is not part of the key, so every [PersistentState] needs its own name.
-- Version is the ETag; a write naming any other version changes nothing and returns no
-- version, which the provider reports as InconsistentStateException.
--
-- Query texts are SQL string literals here (SQLite has no dollar quoting): '''' inside
-- them is the empty string ''.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    ServiceId              TEXT    NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    -- '' when the grain has no string key or extension (NULLs would defeat the key).
    GrainIdExtensionString TEXT    NOT NULL DEFAULT '',
    GrainTypeHash          INTEGER NOT NULL,
    GrainIdHash            INTEGER NOT NULL,
    -- NULL after a clear (ClearStateAsync without DeleteStateOnClear).
    PayloadBinary          BLOB    NULL,
    Version                INTEGER NOT NULL,
    ModifiedOn             TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),

    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString)
);

-- Parameters: as in PostgreSQL-Persistence.sql.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'ReadFromStorageKey',
    '
    SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''');
    '
),
(
    -- Two statements, at most one of which applies: the first write inserts version 1,
    -- later writes bump the version they were given. The provider reads every result set.
    'WriteToStorageKey',
    '
    INSERT INTO OrleansStorage
        (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString,
         GrainTypeHash, GrainIdHash, PayloadBinary, Version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, IFNULL(@GrainIdExtensionString, ''''),
           @GrainTypeHash, @GrainIdHash, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version AS NewGrainStateVersion;

    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary,
        Version = Version + 1,
        ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
      AND @GrainStateVersion IS NOT NULL
      AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
    '
),
(
    -- Keeps the row (and so the version sequence) but drops the payload.
    'ClearStorageKey',
    '
    INSERT INTO OrleansStorage
        (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString,
         GrainTypeHash, GrainIdHash, PayloadBinary, Version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, IFNULL(@GrainIdExtensionString, ''''),
           @GrainTypeHash, @GrainIdHash, NULL, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version AS NewGrainStateVersion;

    UPDATE OrleansStorage
    SET PayloadBinary = NULL,
        Version = Version + 1,
        ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
      AND @GrainStateVersion IS NOT NULL
      AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
    '
),
(
    -- Only with DeleteStateOnClear=true; answers with the next version, as the provider
    -- wants a value that differs from the version it sent.
    'DeleteStorageKey',
    '
    DELETE FROM OrleansStorage
    WHERE ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdN0 = @GrainIdN0
      AND GrainIdN1 = @GrainIdN1
      AND GrainIdExtensionString = IFNULL(@GrainIdExtensionString, '''')
      AND Version = @GrainStateVersion
    RETURNING Version + 1 AS NewGrainStateVersion;
    '
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
