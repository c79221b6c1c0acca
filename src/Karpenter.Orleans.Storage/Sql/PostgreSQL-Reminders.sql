-- Karpenter.Orleans storage schema for PostgreSQL, part 4 of 4: reminders.
-- Needs PostgreSQL-Main.sql. Used by UseAdoNetReminderService (invariant "Npgsql").
--
-- GrainHash is the grain's uniform hash as a signed integer; each silo reads the reminders
-- of its own hash range. Version is the reminder's ETag.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150) NOT NULL,
    GrainId      varchar(768) NOT NULL,
    ReminderName varchar(150) NOT NULL,
    StartTime    timestamptz  NOT NULL,
    -- Milliseconds.
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,

    CONSTRAINT PK_OrleansRemindersTable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_GrainHash
    ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    -- @ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash -> Version.
    'UpsertReminderRowKey',
    $sql$
    INSERT INTO OrleansRemindersTable
        (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
    SET StartTime = EXCLUDED.StartTime,
        Period = EXCLUDED.Period,
        GrainHash = EXCLUDED.GrainHash,
        Version = OrleansRemindersTable.Version + 1
    RETURNING Version;
    $sql$
),
(
    -- @ServiceId, @GrainId -> the grain's reminders.
    'ReadReminderRowsKey',
    $sql$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
    $sql$
),
(
    -- @ServiceId, @GrainId, @ReminderName -> zero or one reminder.
    'ReadReminderRowKey',
    $sql$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
    $sql$
),
(
    -- @ServiceId, @BeginHash, @EndHash: the range (begin, end] when begin < end (signed).
    'ReadRangeRows1Key',
    $sql$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
    $sql$
),
(
    -- @ServiceId, @BeginHash, @EndHash: the range that wraps around (begin >= end, signed).
    'ReadRangeRows2Key',
    $sql$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId
      AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
    $sql$
),
(
    -- @ServiceId, @GrainId, @ReminderName, @Version -> one boolean: deleted or not.
    'DeleteReminderRowKey',
    $sql$
    WITH deleted AS
    (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId
          AND ReminderName = @ReminderName AND Version = @Version
        RETURNING 1
    )
    SELECT count(*) > 0 FROM deleted;
    $sql$
),
(
    -- @ServiceId. Removes every reminder of the service (tests, manual resets).
    'DeleteReminderRowsKey',
    $sql$
    DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
