package io.janus.engine.flink.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.changes.SyncPlan;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Online sync from a real Iceberg warehouse into a real redis-server, on a MiniCluster. */
class SyncITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  static final FeatureGroup G =
      TestGroups.group(
          TestGroups.ACTIVITY_YAML
              .replace("ttl: 1d", "ttl: 30d")
              .replace("name: activity", "name: act"));
  static final List<String> FEATURES = List.of("views_5m", "buys_1h", "spend_1h", "cr_1h");

  /** Three recent days, so nothing is past the TTL. */
  static final LocalDate D1 = LocalDate.now(ZoneOffset.UTC).minusDays(3);

  static final LocalDate D2 = D1.plusDays(1);
  static final LocalDate D3 = D1.plusDays(2);

  @TempDir Path dir;
  Warehouse warehouse;
  EmbeddedRedis redis;
  RedisClient client;
  StatefulRedisConnection<String, String> conn;

  @BeforeEach
  void setUp() {
    warehouse = Warehouse.local(dir.resolve("warehouse"));
    redis = EmbeddedRedis.start(dir.resolve("redis"));
    client = RedisClient.create(redis.uri());
    conn = client.connect();
  }

  @AfterEach
  void tearDown() {
    conn.close();
    client.shutdown();
    redis.close();
  }

  static List<Event> events(int n, long seed) {
    return TestGroups.randomEvents(n, seed, 40, D1.toString(), D2.toString(), D3.toString());
  }

  static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.getConfig().enableObjectReuse(); // as the command line runs jobs
    return env;
  }

  void backfill(List<Event> events, LocalDate start, LocalDate end) throws Exception {
    assertThat(
            Backfill.of(warehouse, G, new ListEventSource(events))
                .withRange(start, end)
                .withReportDir(dir.resolve("reports"))
                .run(env())
                .published())
        .isTrue();
  }

  SyncResult sync() throws Exception {
    return OnlineSync.of(warehouse, G, RedisOnlineStore.factory(redis.uri())).run(env());
  }

  /** What Redis should hold: each key's last offline row, as text. */
  Map<String, Map<String, String>> expectedOnline() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (Map<String, Object> row : new OfflineReader(warehouse, G).rows(null, null)) {
      Map<String, String> m = new HashMap<>();
      m.put("_valid_from", Long.toString(((Instant) row.get("valid_from")).toEpochMilli()));
      for (String f : FEATURES) if (row.get(f) != null) m.put(f, row.get(f).toString());
      out.put((String) row.get("user"), m);
    }
    return out;
  }

  /** What Redis holds for the group: key to its fields (without _version). */
  Map<String, Map<String, String>> online() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page =
          conn.sync().scan(cursor, ScanArgs.Builder.matches(G.name() + ":*").limit(1000));
      for (String k : page.getKeys()) {
        Map<String, String> m = new HashMap<>(conn.sync().hgetall(k));
        m.remove("_version");
        out.put(k.substring(G.name().length() + 1), m);
      }
      cursor = page;
    } while (!cursor.isFinished());
    return out;
  }

  @Test
  void firstSyncLoadsTheLatestRowOfEveryKeyAndASecondSyncReadsNothing() throws Exception {
    // Enough events for data files of several read batches: readers reuse row buffers across
    // batches.
    backfill(events(30000, 1), D1, D3);
    SyncResult first = sync();
    assertThat(first.plan().mode()).isEqualTo(SyncPlan.Mode.FULL);
    assertThat(first.plan().warning()).isNull();
    Map<String, Map<String, String>> expected = expectedOnline();
    assertThat(expected).hasSizeGreaterThan(35);
    assertThat(online()).isEqualTo(expected);
    assertThat(first.rowsRead()).isEqualTo(new OfflineReader(warehouse, G).rows(null, null).size());
    assertThat(first.keysWritten()).isEqualTo(expected.size());

    SyncResult second = sync();
    assertThat(second.plan().mode()).isEqualTo(SyncPlan.Mode.NONE);
    assertThat(second.rowsRead()).isZero();
    assertThat(second.keysWritten()).isZero();
    assertThat(online()).isEqualTo(expected);
  }

  @Test
  void aCorrectedDayUpdatesExactlyTheKeysItChanged() throws Exception {
    long d3 = D3.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    // u39 has events on D3 only.
    List<Event> events =
        new ArrayList<>(events(3000, 2).stream().filter(e -> !e.values[2].equals("u39")).toList());
    events.add(TestGroups.event("u39-a", d3 + 3_600_000L, "u39", "view", null, "i1"));
    events.add(TestGroups.event("u39-b", d3 + 3_700_000L, "u39", "buy", 5.0, "i1"));
    backfill(events, D1, D3);
    sync();
    Map<String, Map<String, String>> synced = expectedOnline();
    assertThat(synced).containsKey("u39");

    // The corrected D3: late events for three users (their latest rows change), all of u7's D3
    // events gone (its latest row moves back to D2), and u39 gone altogether.
    List<Event> corrected = new ArrayList<>();
    for (Event e : events) {
      String user = (String) e.values[2];
      if (user.equals("u39") || (user.equals("u7") && e.ts >= d3)) continue;
      corrected.add(e);
    }
    long late = d3 + 86_370_000L;
    corrected.add(TestGroups.event("late-1", late, "u1", "view", null, "i1"));
    corrected.add(TestGroups.event("late-2", late + 1_000, "u2", "buy", 12.5, "i2"));
    corrected.add(TestGroups.event("late-3", late + 2_000, "u3", "view", null, "i3"));

    // A key no change touches keeps whatever it holds: tamper with it to see that sync leaves it
    // alone.
    String untouched = "u11";
    conn.sync().hset(G.name() + ":" + untouched, "views_5m", "12345");

    backfill(corrected, D3, D3);
    SyncResult r = sync();
    assertThat(r.plan().mode()).isEqualTo(SyncPlan.Mode.INCREMENTAL);
    assertThat(r.plan().changedDays()).containsExactly(D3.toString());
    assertThat(r.plan().filesRemoved()).isPositive();

    Map<String, Map<String, String>> expected = expectedOnline();
    assertThat(expected).doesNotContainKey("u39");
    assertThat(Long.parseLong(expected.get("u7").get("_valid_from"))).isLessThan(d3);
    Map<String, Map<String, String>> online = online();
    assertThat(online.remove(untouched)).containsEntry("views_5m", "12345");
    expected.remove(untouched);
    assertThat(online).isEqualTo(expected);

    // Exactly the keys whose latest row changed were written (u7 with its older row), u39 removed.
    long changed =
        expected.keySet().stream().filter(k -> !expected.get(k).equals(synced.get(k))).count();
    assertThat(changed).isGreaterThanOrEqualTo(4);
    assertThat(r.keysWritten()).isEqualTo(changed + 1);
    assertThat(r.keysRemoved()).isEqualTo(1);
    assertThat(r.keysCorrected()).isEqualTo(2);
    assertThat(r.skippedByGuard()).isZero();
  }

  @Test
  void manyCorrectionsAllComeBack() throws Exception {
    // 600 users with events on D2 and D3; the corrected D3 drops their D3 events, so their latest
    // rows move back to D2. A tiny collect batch makes the corrections arrive in many
    // fetches, the last ones after the job ended.
    long d2 = D2.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    List<Event> events = new ArrayList<>();
    for (int u = 0; u < 600; u++) {
      events.add(TestGroups.event("a" + u, d2 + 36_000_000L + u, "m" + u, "view", null, "i1"));
      events.add(
          TestGroups.event("b" + u, d2 + 86_400_000L + 36_000_000L + u, "m" + u, "buy", 2.0, "i1"));
    }
    backfill(events, D2, D3);
    sync();
    // m0 keeps its D3 event: the audit wants at least one row.
    backfill(
        events.stream().filter(e -> e.id.startsWith("a") || e.id.equals("b0")).toList(), D3, D3);
    org.apache.flink.configuration.Configuration conf =
        new org.apache.flink.configuration.Configuration();
    conf.setString("collect-sink.batch-size.max", "2kb");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.getConfig().enableObjectReuse();
    SyncResult r = OnlineSync.of(warehouse, G, RedisOnlineStore.factory(redis.uri())).run(env);
    assertThat(r.keysCorrected()).isEqualTo(599);
    Map<String, Map<String, String>> online = online();
    assertThat(online).isEqualTo(expectedOnline());
    online.remove("m0");
    assertThat(online.values())
        .hasSize(599)
        .allSatisfy(
            m -> assertThat(Long.parseLong(m.get("_valid_from"))).isLessThan(d2 + 86_400_000L));
  }

  @Test
  void streamedValuesNewerThanTheBackfillSurviveASync() throws Exception {
    List<Event> events = events(2000, 3);
    backfill(events, D1, D3);
    sync();
    // A value streamed after the backfill's range, for u5.
    long streamedAt = System.currentTimeMillis();
    try (RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      store
          .multiPut(
              List.of(
                  new OnlineRow(
                      G.name(), "u5", streamedAt, G.fingerprint(), 0, Map.of("views_5m", "99"))))
          .join();
    }
    List<Event> more = new ArrayList<>(events);
    long d3 = D3.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    more.add(TestGroups.event("late-5", d3 + 86_370_000L, "u5", "view", null, "i1"));
    backfill(more, D3, D3);
    SyncResult r = sync();
    assertThat(r.skippedByGuard()).isGreaterThanOrEqualTo(1);
    assertThat(online().get("u5"))
        .containsEntry("views_5m", "99")
        .containsEntry("_valid_from", Long.toString(streamedAt));
  }

  @Test
  void aSyncAfterTheLastSyncedSnapshotExpiredFallsBackToAFullLoad() throws Exception {
    List<Event> events = events(2000, 4);
    backfill(events, D1, D2);
    sync();
    Table table = warehouse.load(FeatureTables.id(G));
    long synced = table.currentSnapshot().snapshotId();
    backfill(events, D3, D3);
    table.refresh();
    table.expireSnapshots().expireOlderThan(System.currentTimeMillis() + 1).retainLast(1).commit();
    table.refresh();
    assertThat(table.snapshot(synced)).isNull();

    SyncResult r = sync();
    assertThat(r.plan().mode()).isEqualTo(SyncPlan.Mode.FULL);
    assertThat(r.plan().warning()).contains("expired").contains(Long.toString(synced));
    assertThat(online()).isEqualTo(expectedOnline());
  }

  @Test
  void aSyncWhoseLastSnapshotLostItsManifestsFallsBackToAFullLoad() throws Exception {
    List<Event> events = events(1500, 5);
    backfill(events, D1, D2);
    sync();
    Table table = warehouse.load(FeatureTables.id(G));
    String manifestList = table.currentSnapshot().manifestListLocation();
    backfill(events, D3, D3);
    java.nio.file.Files.delete(java.nio.file.Path.of(java.net.URI.create(manifestList)));

    SyncResult r = sync();
    assertThat(r.plan().mode()).isEqualTo(SyncPlan.Mode.FULL);
    assertThat(r.plan().warning()).contains("gone");
    assertThat(online()).isEqualTo(expectedOnline());
  }

  @Test
  void rowsValidLaterThanTheClockWaitForTheFirstSyncAfterTheyAreDue() throws Exception {
    long now = System.currentTimeMillis();
    // Buys ten minutes ago: the backfill also writes the rows where their 1 h windows empty, 50
    // minutes from now.
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      events.add(TestGroups.event("b" + i, now - 600_000 + i, "u" + (i % 5), "buy", 2.0, "p"));
    }
    backfill(
        events,
        Instant.ofEpochMilli(now - 600_000).atZone(ZoneOffset.UTC).toLocalDate(),
        Instant.ofEpochMilli(now + 7_200_000).atZone(ZoneOffset.UTC).toLocalDate());
    Map<String, Map<String, String>> later = expectedOnline();
    assertThat(later.get("u1")).containsEntry("buys_1h", "0");

    SyncResult first = sync();
    assertThat(first.plan().mode()).isEqualTo(SyncPlan.Mode.FULL);
    assertThat(first.keysWritten()).isEqualTo(5);
    assertThat(first.rowsDeferred()).isEqualTo(5);
    // Online: the values valid now, not the emptied ones of 50 minutes from now.
    Map<String, Map<String, String>> online = online();
    assertThat(online).hasSize(5);
    for (Map<String, String> m : online.values()) {
      assertThat(m).containsEntry("buys_1h", "4");
      assertThat(Long.parseLong(m.get("_valid_from"))).isLessThanOrEqualTo(now);
    }

    // Parity judges online against what was due at the sync: every key matches (the rows of 50
    // minutes from now are not expected online yet).
    io.janus.engine.flink.parity.ParityReport parity =
        io.janus.engine.flink.parity.ParityCheck.of(
                warehouse, G, RedisOnlineStore.factory(redis.uri()))
            .run(env());
    assertThat(parity.passed()).as(parity.summary()).isTrue();
    assertThat(parity.count(io.janus.engine.flink.parity.KeyCheck.Status.MATCHED)).isEqualTo(5);

    // Nothing is due yet: nothing to read.
    assertThat(sync().plan().mode()).isEqualTo(SyncPlan.Mode.NONE);

    // Two hours later, main unchanged: the deferred rows' days are read again and written.
    SyncResult due =
        OnlineSync.of(warehouse, G, RedisOnlineStore.factory(redis.uri()))
            .withNow(now + 7_200_000)
            .run(env());
    assertThat(due.plan().mode()).isEqualTo(SyncPlan.Mode.INCREMENTAL);
    assertThat(due.plan().dueFrom()).isNotNull();
    assertThat(due.plan().changedDays()).isEmpty();
    assertThat(due.keysWritten()).isEqualTo(5);
    assertThat(due.rowsDeferred()).isZero();
    assertThat(online()).isEqualTo(later);
    assertThat(
            OnlineSync.of(warehouse, G, RedisOnlineStore.factory(redis.uri()))
                .withNow(now + 7_200_000)
                .run(env())
                .plan()
                .mode())
        .isEqualTo(SyncPlan.Mode.NONE);
  }
}
