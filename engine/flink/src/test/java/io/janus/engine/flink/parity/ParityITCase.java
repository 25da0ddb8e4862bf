package io.janus.engine.flink.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.sync.OnlineSync;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The parity check on a MiniCluster, between a real Iceberg warehouse and a real redis-server. */
class ParityITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  static final FeatureGroup G =
      TestGroups.group(
          TestGroups.ACTIVITY_YAML
              .replace("ttl: 1d", "ttl: 30d")
              .replace("name: activity", "name: act"));
  static final LocalDate D1 = LocalDate.now(ZoneOffset.UTC).minusDays(2);
  static final LocalDate D2 = D1.plusDays(1);

  @TempDir Path dir;
  Warehouse warehouse;
  EmbeddedRedis redis;
  RedisClient client;
  StatefulRedisConnection<String, String> conn;

  @BeforeEach
  void setUp() throws Exception {
    warehouse = Warehouse.local(dir.resolve("warehouse"));
    redis = EmbeddedRedis.start(dir.resolve("redis"));
    client = RedisClient.create(redis.uri());
    conn = client.connect();
    List<Event> events = TestGroups.randomEvents(4000, 7, 200, D1.toString(), D2.toString());
    assertThat(
            Backfill.of(warehouse, G, new ListEventSource(events))
                .withRange(D1, D2)
                .withReportDir(dir.resolve("reports"))
                .run(env())
                .published())
        .isTrue();
    OnlineSync.of(warehouse, G, RedisOnlineStore.factory(redis.uri())).run(env());
  }

  @AfterEach
  void tearDown() {
    conn.close();
    client.shutdown();
    redis.close();
  }

  static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.getConfig().enableObjectReuse(); // as the command line runs jobs
    return env;
  }

  ParityCheck check() {
    return ParityCheck.of(warehouse, G, RedisOnlineStore.factory(redis.uri()));
  }

  @Test
  void afterASyncEveryKeyMatchesAndASampleChecksExactlyItsSize() throws Exception {
    ParityReport all = check().run(env());
    assertThat(all.checked()).isEqualTo(200);
    assertThat(all.count(KeyCheck.Status.MATCHED)).isEqualTo(200);
    assertThat(all.mismatchRate()).isZero();
    assertThat(all.passed()).isTrue();
    assertThat(all.worst()).isEmpty();
    assertThat(all.features().get("views_5m").compared()).isEqualTo(200);

    ParityReport sample = check().withSample(25).run(env());
    assertThat(sample.checked()).isEqualTo(25);
    assertThat(sample.count(KeyCheck.Status.MATCHED)).isEqualTo(25);
    assertThat(check().withSample(25).run(env()).counts()).isEqualTo(sample.counts());
  }

  @Test
  void eachKindOfDifferenceIsReportedWithItsKeyAndFeature() throws Exception {
    Map<String, Object> last = null;
    for (Map<String, Object> r : new OfflineReader(warehouse, G).rows("u17", null)) last = r;
    long u17 = ((Instant) last.get("valid_from")).toEpochMilli();
    // Tampered: one feature of u17.
    conn.sync().hset(G.name() + ":u17", "buys_1h", "424242");
    // Missing online: u18 deleted.
    conn.sync().del(G.name() + ":u18");
    // Missing offline: a key the table never had.
    try (RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      store
          .multiPut(
              List.of(
                  new OnlineRow(
                      G.name(), "ghost", u17, G.fingerprint(), 0, Map.of("views_5m", "1"))))
          .join();
    }
    // Stale: u19 rolled back to its first row.
    Map<String, Object> first = new OfflineReader(warehouse, G).rows("u19", null).get(0);
    List<Map<String, Object>> u19 = new OfflineReader(warehouse, G).rows("u19", null);
    assertThat(u19).hasSizeGreaterThan(1);
    conn.sync().del(G.name() + ":u19");
    try (RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
      store
          .multiPut(
              List.of(
                  new OnlineRow(
                      G.name(),
                      "u19",
                      ((Instant) first.get("valid_from")).toEpochMilli(),
                      G.fingerprint(),
                      0,
                      Map.of("views_5m", "0"))))
          .join();
    }

    ParityReport r = check().withMaxMismatchRate(0.01).run(env());
    assertThat(r.checked()).isEqualTo(201);
    assertThat(r.count(KeyCheck.Status.MATCHED)).isEqualTo(197);
    assertThat(r.count(KeyCheck.Status.MISMATCHED)).isEqualTo(1);
    assertThat(r.count(KeyCheck.Status.MISSING_ONLINE)).isEqualTo(1);
    assertThat(r.count(KeyCheck.Status.MISSING_OFFLINE)).isEqualTo(1);
    assertThat(r.count(KeyCheck.Status.STALE)).isEqualTo(1);
    assertThat(r.passed()).isFalse(); // 4 of 201 > 1 %
    assertThat(r.features().get("buys_1h").mismatched()).isEqualTo(1);
    assertThat(r.features().get("views_5m").mismatched()).isZero();
    ParityReport.Example worst = r.worst().get(0);
    assertThat(worst.key()).isEqualTo("u17");
    assertThat(worst.status()).isEqualTo(KeyCheck.Status.MISMATCHED);
    assertThat(worst.feature()).isEqualTo("buys_1h");
    assertThat(worst.online()).isEqualTo("424242");
    assertThat(worst.offline()).isEqualTo(String.valueOf(last.get("buys_1h")));
    assertThat(worst.offlineValidFrom()).isEqualTo(u17);
    assertThat(r.worst())
        .extracting(ParityReport.Example::key)
        .containsExactly("u17", "u18", "ghost", "u19");
    assertThat(check().withMaxMismatchRate(0.05).run(env()).passed()).isTrue();
  }

  /**
   * An online value past its TTL is judged as absent (Redis drops it within a minute): missing
   * online when offline has a newer row within the TTL; a stray key with no offline rows stays
   * missing offline.
   */
  @Test
  void onlineValuesPastTheirTtlCountAsAbsent() throws Exception {
    String longAgo = Long.toString(System.currentTimeMillis() - G.ttl().toMillis() - 60_000);
    conn.sync().hset(G.name() + ":u20", "_valid_from", longAgo);
    conn.sync()
        .hset(
            G.name() + ":ghost",
            Map.of("_valid_from", longAgo, "_version", G.fingerprint(), "views_5m", "1"));
    ParityReport r = check().run(env());
    assertThat(r.checked()).isEqualTo(201);
    assertThat(r.count(KeyCheck.Status.MATCHED)).isEqualTo(199);
    assertThat(r.count(KeyCheck.Status.MISSING_ONLINE)).isEqualTo(1);
    assertThat(r.count(KeyCheck.Status.MISSING_OFFLINE)).isEqualTo(1);
    assertThat(r.worst())
        .extracting(ParityReport.Example::key)
        .containsExactlyInAnyOrder("u20", "ghost");
  }

  @Test
  void anOlderSnapshotShowsWhatTheOnlineStoreIsAheadOf() throws Exception {
    long before = new OfflineReader(warehouse, G).currentSnapshot();
    // A corrected D2 with late events for ten users, synced: online now follows the new snapshot.
    List<Event> events =
        new ArrayList<>(TestGroups.randomEvents(4000, 7, 200, D1.toString(), D2.toString()));
    long late = D2.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + 86_370_000L;
    for (int i = 0; i < 10; i++)
      events.add(TestGroups.event("late-" + i, late + i, "u" + i, "view", null, "i1"));
    assertThat(
            Backfill.of(warehouse, G, new ListEventSource(events))
                .withRange(D2, D2)
                .withReportDir(dir.resolve("reports"))
                .run(env())
                .published())
        .isTrue();
    OnlineSync.of(warehouse, G, RedisOnlineStore.factory(redis.uri())).run(env());
    assertThat(check().run(env()).passed()).isTrue();

    ParityReport old = check().withSnapshot(before).run(env());
    assertThat(old.snapshotId()).isEqualTo(before);
    // Online holds the late rows; the old snapshot's row valid then is the key's previous one.
    assertThat(old.count(KeyCheck.Status.MISMATCHED)).isEqualTo(10);
    assertThat(old.passed()).isFalse();
  }

  @Test
  void aDefinitionAheadOfItsTableGetsAOneLineReason() {
    FeatureGroup ahead =
        TestGroups.group(
            TestGroups.ACTIVITY_YAML
                .replace("ttl: 1d", "ttl: 30d")
                .replace("name: activity", "name: act")
                .replace(
                    "  - {name: cr_1h,",
                    "  - {name: buys_5m, agg: count, where: \"kind == 'buy'\", window: 5m}\n  - {name: cr_1h,"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ParityCheck.of(warehouse, ahead, RedisOnlineStore.factory(redis.uri())).run(env()))
        .hasMessageContaining("has no column 'buys_5m'")
        .hasMessageContaining("backfill with this definition first");
  }
}
