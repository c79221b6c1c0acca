-- Karpenter.Orleans storage schema for PostgreSQL, part 2 of 4: cluster membership.
-- Needs PostgreSQL-Main.sql. Used by UseAdoNetClustering (invariant "Npgsql") on silos and
-- clients. The provider's DeploymentId parameter is the Orleans ClusterId.
--
-- Membership is optimistic: every change to a silo row must name the table version it
-- read (@Version) and bumps it in the same statement; a stale version changes nothing and
-- returns false, and Orleans re-reads and retries. Heartbeats (UpdateIAmAlivetimeKey) touch
-- only their own row and leave the version alone.
--
-- Silo status numbers are Orleans' SiloStatus: 3 = Active, 6 = Dead.

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL,
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NOT NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer      NULL,
    -- "silo,date|silo,date" as Orleans formats it; NULL when nobody suspects the silo.
    SuspectTimes text         NULL,
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,

    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    -- @DeploymentId -> one boolean: true when this call created the version row.
    'InsertMembershipVersionKey',
    $sql$
    WITH inserted AS
    (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT count(*) > 0 FROM inserted;
    $sql$
),
(
    -- @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
    -- @StartTime, @IAmAliveTime, @Version -> one boolean. The version is bumped only when the
    -- silo row is new, so a refused insert leaves the table as it was.
    'InsertMembershipKey',
    $sql$
    WITH bumped AS
    (
        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId
          AND Version = @Version
          AND NOT EXISTS
          (
              SELECT 1 FROM OrleansMembershipTable
              WHERE DeploymentId = @DeploymentId
                AND Address = @Address AND Port = @Port AND Generation = @Generation
          )
        RETURNING DeploymentId
    ),
    inserted AS
    (
        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
             StartTime, IAmAliveTime)
        SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
               @StartTime, @IAmAliveTime
        FROM bumped
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT count(*) > 0 FROM inserted;
    $sql$
),
(
    -- @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime,
    -- @Version -> one boolean.
    'UpdateMembershipKey',
    $sql$
    WITH bumped AS
    (
        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId
          AND Version = @Version
          AND EXISTS
          (
              SELECT 1 FROM OrleansMembershipTable
              WHERE DeploymentId = @DeploymentId
                AND Address = @Address AND Port = @Port AND Generation = @Generation
          )
        RETURNING DeploymentId
    ),
    updated AS
    (
        UPDATE OrleansMembershipTable AS m
        SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
        FROM bumped AS b
        WHERE m.DeploymentId = b.DeploymentId
          AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
        RETURNING 1
    )
    SELECT count(*) > 0 FROM updated;
    $sql$
),
(
    -- @DeploymentId, @Address, @Port, @Generation, @IAmAliveTime. No version change.
    'UpdateIAmAlivetimeKey',
    $sql$
    UPDATE OrleansMembershipTable
    SET IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId
      AND Address = @Address AND Port = @Port AND Generation = @Generation;
    $sql$
),
(
    -- @DeploymentId, @Address, @Port, @Generation. Always one row when the cluster exists:
    -- the table version, with NULL silo columns when the silo has no row.
    'MembershipReadRowKey',
    $sql$
    SELECT v.Version,
           m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m
        ON m.DeploymentId = v.DeploymentId
       AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;
    $sql$
),
(
    -- @DeploymentId. Same shape as MembershipReadRowKey, one row per silo.
    'MembershipReadAllKey',
    $sql$
    SELECT v.Version,
           m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;
    $sql$
),
(
    -- @DeploymentId, @Status (Active) -> the gateways clients may connect to.
    'GatewaysQueryKey',
    $sql$
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = @Status
      AND ProxyPort > 0;
    $sql$
),
(
    -- @DeploymentId. Forgets the whole cluster (tests, manual resets).
    'DeleteMembershipTableEntriesKey',
    $sql$
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
    $sql$
),
(
    -- @DeploymentId, @IAmAliveTime (the cut-off). Removes silos that are dead and have not
    -- started or sent a heartbeat since; live rows and the version are left alone.
    'CleanupDefunctSiloEntriesKey',
    $sql$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId
      AND Status = 6
      AND IAmAliveTime < @IAmAliveTime
      AND StartTime < @IAmAliveTime;
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
