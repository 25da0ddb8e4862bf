package io.janus.engine.flink.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.event.EventJson;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.source.FilePayloadSource;
import io.janus.engine.flink.source.IcebergEventSource;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.flink.testing.Tables;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.redis.RedisOnlineStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job on a MiniCluster into a real Redis, checked against the backfill of the same
 * events.
 */
class StreamJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  @TempDir Path dir;

  static final FeatureGroup G = TestGroups.group(TestGroups.ACTIVITY_YAML);

  /**
   * Recent events (Redis expires values one TTL after valid_from), shuffled within 5 minutes, as
   * JSON lines plus two malformed ones.
   */
  static Path eventsFile(Path dir, long now, int n, long seed) throws Exception {
    List<Event> events = new ArrayList<>();
    Random rnd = new Random(seed);
    for (Event e :
        TestGroups.randomEvents(
            n, seed, 30, LocalDate.now(ZoneOffset.UTC).minusDays(1).toString())) {
      // Up to half an hour ago: the last 1 h windows expire after the test.
      long ts = now - 330 * 60_000L + Math.floorMod(e.ts, 5 * 3_600_000L);
      Object[] v = e.values.clone();
      v[1] = ts;
      events.add(new Event(ts, e.id, v));
    }
    events.sort((a, b) -> Long.compare(a.ts, b.ts));
    for (int i = 0; i + 1 < events.size(); i++) {
      if (rnd.nextInt(4) == 0 && events.get(i + 1).ts - events.get(i).ts < 300_000)
        Collections.swap(events, i, i + 1);
    }
    List<String> lines = new ArrayList<>();
    for (Event e : events) lines.add(EventJson.toJson(TestGroups.SOURCE, e));
    lines.add(100, "{not json");
    lines.add(200, "{\"id\":\"x\",\"ts\":\"never\",\"user\":\"u1\"}");
    Path file = dir.resolve("events-" + seed + ".jsonl");
    Files.write(file, lines);
    return file;
  }

  /**
   * Backfills what streaming saw (the raw table) and counts keys whose online value is not the row
   * valid now (events were at most {@code now}, the stream ran after it).
   */
  static int mismatchesAgainstBackfill(Warehouse warehouse, String redisUri, long now)
      throws Exception {
    return mismatchesAgainstBackfill(warehouse, G, redisUri, now);
  }

  /**
   * The same for any group of the test source: every feature of every key. The online value must be
   * one of the key's offline rows, valid by the time of the check (never a row from the future),
   * and no older than the key's last row valid at {@code now}, which the stream ran after (a row
   * valid while the stream ran may or may not have been written before it ended).
   */
  static int mismatchesAgainstBackfill(
      Warehouse warehouse, FeatureGroup g, String redisUri, long now) throws Exception {
    // From before the oldest event of any test (the late ones, 9 h back): between 07:00 and 09:00
    // UTC a start 7 h back left their day out and the late events uncounted.
    LocalDate first =
        Instant.ofEpochMilli(now - 10 * 3_600_000L).atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate last =
        Instant.ofEpochMilli(now + 3 * 3_600_000L).atZone(ZoneOffset.UTC).toLocalDate();
    StreamExecutionEnvironment batchEnv = StreamExecutionEnvironment.getExecutionEnvironment();
    batchEnv.setParallelism(2);
    assertThat(
            Backfill.of(warehouse, g, new IcebergEventSource(warehouse, g.source()))
                .withRange(first, last)
                .run(batchEnv)
                .published())
        .isTrue();
    long checkedAt = System.currentTimeMillis() + 1000;
    Map<String, List<Map<String, Object>>> rowsOf = new HashMap<>();
    for (Map<String, Object> row : new OfflineReader(warehouse, g).rows(null, null))
      rowsOf.computeIfAbsent((String) row.get("user"), k -> new ArrayList<>()).add(row);
    assertThat(rowsOf).hasSizeGreaterThan(25);
    int mismatches = 0;
    int future = 0;
    try (RedisOnlineStore store = new RedisOnlineStore(redisUri)) {
      OnlineReader reader = new OnlineReader(store);
      for (Map.Entry<String, List<Map<String, Object>>> e : rowsOf.entrySet()) {
        OnlineReader.Result online = reader.get(g, e.getKey());
        Instant mustReach = null;
        Map<String, Object> same = null;
        for (Map<String, Object> row : e.getValue()) {
          Instant vf = (Instant) row.get("valid_from");
          if (!vf.isAfter(Instant.ofEpochMilli(now))) mustReach = vf;
          if (vf.isAfter(Instant.ofEpochMilli(checkedAt))) future++;
          if (online.found() && vf.equals(online.validFrom())) same = row;
        }
        if (!online.found()
            || same == null
            || online.validFrom().isAfter(Instant.ofEpochMilli(checkedAt))
            || (mustReach != null && online.validFrom().isBefore(mustReach))) {
          mismatches++;
          continue;
        }
        for (var f : g.features()) {
          if (!java.util.Objects.equals(online.features().get(f.name()), same.get(f.name())))
            mismatches++;
        }
      }
    }
    // Only a check with rows valid after it proves the online store did not run ahead.
    assertThat(future).as("offline rows valid after the check").isPositive();
    return mismatches;
  }

  @Test
  void streamedValuesEqualTheLastBackfillRowOfEveryKey() throws Exception {
    FeatureGroup g = G;
    long now = System.currentTimeMillis();
    Path file = eventsFile(dir, now, 3000, 21);

    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      StreamJob.Result r =
          StreamJob.of(
                  warehouse, g, new FilePayloadSource(file), RedisOnlineStore.factory(redis.uri()))
              .withOutOfOrderness(Duration.ofMinutes(10))
              .withCheckpointInterval(Duration.ofSeconds(1))
              .withCheckpointDir(dir.resolve("checkpoints"))
              .run(env);
      assertThat(r.events()).isEqualTo(3000);
      assertThat(r.malformed()).isEqualTo(2);
      // The final watermark fired the expiries of the next half hour: not written online.
      assertThat(r.deferred()).isPositive();

      // Cold path: exactly the consumed events are in the raw table; malformed ones in dead
      // letters.
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(3000);
      assertThat(Tables.count(warehouse, DeadLetters.ID)).isEqualTo(2);

      // Batch over what streaming saw, then compare every key.
      assertThat(mismatchesAgainstBackfill(warehouse, redis.uri(), now)).isZero();
    }
  }

  @Test
  void twoGroupsInOneJobAndAReplayCountAndStoreEachEventIdOnce() throws Exception {
    long now = System.currentTimeMillis();
    Path file = eventsFile(dir, now, 2000, 29);
    // Producer retries: 100 events sent twice, the copy right after the original.
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    for (int i = 1000; i > 0; i -= 10) {
      if (!lines.get(i).startsWith("{\"id\"") || lines.get(i).contains("never")) continue;
      lines.add(i + 1, lines.get(i));
    }
    int repeats = lines.size() - 2002;
    assertThat(repeats).isGreaterThan(90);
    Files.write(file, lines);
    FeatureGroup mix = TestGroups.group(TestGroups.MIX_YAML);
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      StreamJob.Result r =
          StreamJob.of(
                  warehouse,
                  List.of(G, mix),
                  new FilePayloadSource(file),
                  RedisOnlineStore.factory(redis.uri()))
              .withOutOfOrderness(Duration.ofMinutes(10))
              .withCheckpointInterval(Duration.ofSeconds(1))
              .run(env);
      assertThat(r.groups()).containsExactly("activity", "mix");
      assertThat(r.events()).isEqualTo(2000 + repeats);
      assertThat(r.duplicates()).isEqualTo(repeats);
      assertThat(r.alreadyStored()).isEqualTo(repeats);
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(2000);
      assertThat(mismatchesAgainstBackfill(warehouse, mix, redis.uri(), now)).isZero();

      // The same file again, as a replayed topic would be: nothing new in the raw table, and the
      // values are still those of a batch over the distinct events.
      StreamJob.Result replay =
          StreamJob.of(
                  warehouse, G, new FilePayloadSource(file), RedisOnlineStore.factory(redis.uri()))
              .withOutOfOrderness(Duration.ofMinutes(10))
              .withCheckpointInterval(Duration.ofSeconds(1))
              .run(env);
      assertThat(replay.alreadyStored()).isEqualTo(2000 + repeats);
      assertThat(replay.duplicates()).isEqualTo(repeats);
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(2000);
      assertThat(mismatchesAgainstBackfill(warehouse, G, redis.uri(), now)).isZero();
    }
  }

  @Test
  void aBootstrapReplaysTheRawTableSoAnEmptyStoreGetsTheBatchValuesAndOverlapCountsOnce()
      throws Exception {
    long now = System.currentTimeMillis();
    List<String> lines = Files.readAllLines(eventsFile(dir, now, 3000, 31));
    // A first run streamed the first 2000 lines (2 malformed) into the raw table; the second
    // starts 200 lines before where the first stopped, as a source re-read from an older position.
    Path first = Files.write(dir.resolve("first.jsonl"), lines.subList(0, 2000));
    Path second = Files.write(dir.resolve("second.jsonl"), lines.subList(1800, lines.size()));
    FeatureGroup mix = TestGroups.group(TestGroups.MIX_YAML);
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    try (EmbeddedRedis before = EmbeddedRedis.start(dir.resolve("redis-before"));
        EmbeddedRedis fresh = EmbeddedRedis.start(dir.resolve("redis-fresh"));
        EmbeddedRedis control = EmbeddedRedis.start(dir.resolve("redis-control"))) {
      stream(warehouse, List.of(G, mix), first, before.uri()).run(env);
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(1998);

      // Into an empty store, with the bootstrap: the whole raw table (mix has a lifetime feature)
      // is replayed first, and the 200 events both hold count once.
      StreamJob.Result r =
          stream(warehouse, List.of(G, mix), second, fresh.uri())
              .withBootstrap(Instant.now())
              .run(env);
      assertThat(r.replayed()).isEqualTo(1998);
      assertThat(r.events()).isEqualTo(1202);
      assertThat(r.alreadyStored()).isEqualTo(200);
      assertThat(r.duplicates()).isEqualTo(200);
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(3000);
      assertThat(mismatchesAgainstBackfill(warehouse, mix, fresh.uri(), now)).isZero();
      assertThat(mismatchesAgainstBackfill(warehouse, G, fresh.uri(), now)).isZero();

      // The same run without the bootstrap starts from nothing: the lifetime counts are short.
      StreamJob.Result c = stream(warehouse, List.of(G, mix), second, control.uri()).run(env);
      assertThat(c.replayed()).isZero();
      assertThat(mismatchesAgainstBackfill(warehouse, mix, control.uri(), now)).isPositive();
    }
  }

  @Test
  void aLiveSourceIdleAfterTheHistoryEndedDoesNotMoveTimeToTheEnd() throws Exception {
    long now = System.currentTimeMillis();
    Path file = eventsFile(dir, now, 2000, 33);
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(1);
      env.getConfig().setAutoWatermarkInterval(50);
      // The live source goes silent for 5 s half-way, five times its idleness: the finished
      // history must not then stand in for it.
      StreamJob.Result r =
          StreamJob.of(
                  warehouse,
                  G,
                  new Pausing(new FilePayloadSource(file), 1000, 5000),
                  RedisOnlineStore.factory(redis.uri()))
              .withOutOfOrderness(Duration.ofMinutes(10))
              .withIdleness(Duration.ofSeconds(1))
              .withCheckpointInterval(Duration.ofSeconds(1))
              .withBootstrap(Instant.now())
              .run(env);
      assertThat(r.events()).isEqualTo(2000);
      assertThat(r.late()).isZero();
      assertThat(Tables.count(warehouse, DeadLetters.ID)).as("only the 2 malformed").isEqualTo(2);
      assertThat(mismatchesAgainstBackfill(warehouse, redis.uri(), now)).isZero();
    }
  }

  /** Passes payloads on in a task of its own, pausing once after {@code after} of them. */
  static final class Pausing implements io.janus.engine.flink.source.PayloadSource {
    private final io.janus.engine.flink.source.PayloadSource inner;
    private final int after;
    private final long pauseMillis;

    Pausing(io.janus.engine.flink.source.PayloadSource inner, int after, long pauseMillis) {
      this.inner = inner;
      this.after = after;
      this.pauseMillis = pauseMillis;
    }

    @Override
    public org.apache.flink.streaming.api.datastream.DataStream<String> payloads(
        StreamExecutionEnvironment env) {
      int n = after;
      long pause = pauseMillis;
      int[] seen = new int[1];
      return inner
          .payloads(env)
          .map(
              v -> {
                if (++seen[0] == n) Thread.sleep(pause);
                return v;
              })
          .returns(String.class)
          .name("pausing")
          .disableChaining();
    }

    @Override
    public String origin() {
      return inner.origin();
    }
  }

  private static StreamJob stream(
      Warehouse warehouse, List<FeatureGroup> groups, Path file, String redisUri) {
    return StreamJob.of(
            warehouse, groups, new FilePayloadSource(file), RedisOnlineStore.factory(redisUri))
        .withOutOfOrderness(Duration.ofMinutes(10))
        .withCheckpointInterval(Duration.ofSeconds(1));
  }

  @Test
  void jobFailoverAndRedisRestartStillEndWithTheBatchValues() throws Exception {
    long now = System.currentTimeMillis();
    Path file = eventsFile(dir, now, 3000, 23);
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    Path redisDir = dir.resolve("redis");
    EmbeddedRedis redis = EmbeddedRedis.start(redisDir);
    int port = redis.port();
    String uri = redis.uri();
    FailOnce.reset();
    // Stop Redis for a moment while the job runs, then bring it back on the same port and data.
    Thread chaos =
        new Thread(
            () -> {
              try {
                FailOnce.FAILED.await();
                redis.close();
                Thread.sleep(1500);
                RESTARTED[0] = EmbeddedRedis.start(redisDir, port);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    chaos.start();
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      org.apache.flink.configuration.Configuration c =
          new org.apache.flink.configuration.Configuration();
      c.setString("restart-strategy.type", "fixed-delay");
      c.setString("restart-strategy.fixed-delay.attempts", "3");
      c.setString("restart-strategy.fixed-delay.delay", "200 ms");
      env.configure(c);
      StreamJob.of(
              warehouse,
              G,
              new FailOnce(new FilePayloadSource(file)),
              RedisOnlineStore.factory(uri))
          .withOutOfOrderness(Duration.ofMinutes(10))
          .withCheckpointInterval(Duration.ofMillis(200))
          .withCheckpointDir(dir.resolve("checkpoints"))
          .run(env);
      chaos.join();
      assertThat(FailOnce.failures()).isEqualTo(1);
      // Exactly once into Iceberg despite the restart: the cold path holds each event once, dead
      // letters each bad line once.
      // (Flink accumulators such as r.malformed() count only the last attempt, so they are not
      // checked here.)
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(3000);
      assertThat(Tables.count(warehouse, DeadLetters.ID)).isEqualTo(2);
      assertThat(mismatchesAgainstBackfill(warehouse, RESTARTED[0].uri(), now)).isZero();
    } finally {
      chaos.join();
      if (RESTARTED[0] != null) RESTARTED[0].close();
    }
  }

  @Test
  void lateEventsGoToDeadLettersAndTheRestStillMatchesTheBatch() throws Exception {
    long now = System.currentTimeMillis();
    Path file = eventsFile(dir, now, 2000, 27);
    // Three events two hours behind everything else, at the end of the stream: far beyond the
    // allowed lateness.
    List<String> late = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Event e = TestGroups.event("late-" + i, now - 9 * 3_600_000L + i, "u" + i, "view", 1.0, null);
      late.add(EventJson.toJson(TestGroups.SOURCE, e));
    }
    Files.write(file, late, java.nio.file.StandardOpenOption.APPEND);
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(1);
      env.getConfig().setAutoWatermarkInterval(20);
      StreamJob.of(
              warehouse,
              G,
              new Slow(new FilePayloadSource(file)),
              RedisOnlineStore.factory(redis.uri()))
          .withOutOfOrderness(Duration.ofMinutes(10))
          .withCheckpointInterval(Duration.ofSeconds(1))
          .run(env);
      List<Record> dead = new ArrayList<>();
      try (CloseableIterable<Record> it =
          IcebergGenerics.read(warehouse.load(DeadLetters.ID)).build()) {
        it.forEach(dead::add);
      }
      assertThat(dead).hasSize(5); // 2 malformed + 3 late
      assertThat(
              dead.stream()
                  .filter(d -> ((String) d.getField("reason")).startsWith("late: event time")))
          .hasSize(3)
          .allSatisfy(d -> assertThat((String) d.getField("payload")).contains("late-"));
      // The cold path keeps late events (lateness is the dead letter's record), so the backfill
      // over the raw table counts them.
      assertThat(Tables.count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(2003);
      assertThat(mismatchesAgainstBackfill(warehouse, redis.uri(), now)).isZero();
      for (int i = 0; i < 3; i++) {
        Instant lateTime = Instant.ofEpochMilli(now - 9 * 3_600_000L + i);
        assertThat(new OfflineReader(warehouse, G).rows("u" + i, null))
            .as("the backfill counts late-" + i)
            .anyMatch(r -> lateTime.equals(r.get("valid_from")));
      }
    }
  }

  /** Passes payloads through one per millisecond, so periodic watermarks advance during the run. */
  static final class Slow implements io.janus.engine.flink.source.PayloadSource {
    private final io.janus.engine.flink.source.PayloadSource inner;

    Slow(io.janus.engine.flink.source.PayloadSource inner) {
      this.inner = inner;
    }

    @Override
    public org.apache.flink.streaming.api.datastream.DataStream<String> payloads(
        StreamExecutionEnvironment env) {
      return inner
          .payloads(env)
          .map(
              v -> {
                Thread.sleep(1);
                return v;
              })
          .returns(String.class)
          .name("slow");
    }

    @Override
    public String origin() {
      return inner.origin();
    }
  }

  static final EmbeddedRedis[] RESTARTED = new EmbeddedRedis[1];

  /** Passes payloads through slowly and fails the job once, after a checkpoint completed. */
  static final class FailOnce implements io.janus.engine.flink.source.PayloadSource {
    static java.util.concurrent.CountDownLatch FAILED = new java.util.concurrent.CountDownLatch(1);
    private static final java.util.concurrent.atomic.AtomicInteger FAILURES =
        new java.util.concurrent.atomic.AtomicInteger();
    private final io.janus.engine.flink.source.PayloadSource inner;

    FailOnce(io.janus.engine.flink.source.PayloadSource inner) {
      this.inner = inner;
    }

    static void reset() {
      FAILED = new java.util.concurrent.CountDownLatch(1);
      FAILURES.set(0);
    }

    static int failures() {
      return FAILURES.get();
    }

    @Override
    public org.apache.flink.streaming.api.datastream.DataStream<String> payloads(
        StreamExecutionEnvironment env) {
      return inner.payloads(env).map(new Slow()).name("slow, fails once");
    }

    @Override
    public String origin() {
      return inner.origin();
    }

    static final class Slow
        extends org.apache.flink.api.common.functions.RichMapFunction<String, String>
        implements org.apache.flink.api.common.state.CheckpointListener {
      private transient boolean checkpointed;
      private transient int seen;

      @Override
      public String map(String value) throws Exception {
        Thread.sleep(1);
        if (checkpointed && ++seen > 200 && FAILURES.compareAndSet(0, 1)) {
          FAILED.countDown();
          throw new IllegalStateException("injected failure");
        }
        return value;
      }

      @Override
      public void notifyCheckpointComplete(long checkpointId) {
        checkpointed = true;
      }
    }
  }
}
