package io.janus.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.backfill.Backfill;
import io.janus.engine.compute.Event;
import io.janus.engine.compute.EventJson;
import io.janus.engine.definition.FeatureGroup;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.EmbeddedRedis;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.RedisOnlineStore;
import io.janus.engine.source.FilePayloadSource;
import io.janus.engine.source.IcebergEventSource;
import io.janus.engine.testing.Flink;
import io.janus.engine.testing.TestGroups;
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

/** The streaming job on a MiniCluster into a real Redis, checked against the backfill of the same events. */
class StreamJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  @TempDir Path dir;

  @Test
  void streamedValuesEqualTheLastBackfillRowOfEveryKey() throws Exception {
    FeatureGroup g = TestGroups.group(TestGroups.ACTIVITY_YAML);
    // Recent events (Redis expires values one TTL after valid_from), shuffled within 5 minutes.
    long now = System.currentTimeMillis();
    List<Event> events = new ArrayList<>();
    Random rnd = new Random(21);
    for (Event e : TestGroups.randomEvents(3000, 21, 30, LocalDate.now(ZoneOffset.UTC).minusDays(1).toString())) {
      long ts = now - 6 * 3_600_000L + Math.floorMod(e.ts, 5 * 3_600_000L);
      Object[] v = e.values.clone();
      v[1] = ts;
      events.add(new Event(ts, e.id, v));
    }
    events.sort((a, b) -> Long.compare(a.ts, b.ts));
    for (int i = 0; i + 1 < events.size(); i++) {
      if (rnd.nextInt(4) == 0 && events.get(i + 1).ts - events.get(i).ts < 300_000) Collections.swap(events, i, i + 1);
    }
    List<String> lines = new ArrayList<>();
    for (Event e : events) lines.add(EventJson.toJson(TestGroups.SOURCE, e));
    lines.add(100, "{not json");
    lines.add(200, "{\"id\":\"x\",\"ts\":\"never\",\"user\":\"u1\"}");
    Path file = dir.resolve("events.jsonl");
    Files.write(file, lines);

    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      StreamJob.Result r = StreamJob.builder(warehouse, g, new FilePayloadSource(file), redis.uri())
          .outOfOrderness(Duration.ofMinutes(10))
          .checkpointInterval(Duration.ofSeconds(1))
          .checkpointDir(dir.resolve("checkpoints"))
          .build()
          .run(env);
      assertThat(r.events()).isEqualTo(3000);
      assertThat(r.malformed()).isEqualTo(2);

      // Cold path: exactly the consumed events are in the raw table; malformed ones in dead letters.
      assertThat(count(warehouse, RawEvents.id(TestGroups.SOURCE))).isEqualTo(3000);
      assertThat(count(warehouse, DeadLetters.ID)).isEqualTo(2);

      // Batch over what streaming saw, then compare every key.
      LocalDate first = Instant.ofEpochMilli(now - 7 * 3_600_000L).atZone(ZoneOffset.UTC).toLocalDate();
      LocalDate last = Instant.ofEpochMilli(now + 3 * 3_600_000L).atZone(ZoneOffset.UTC).toLocalDate();
      StreamExecutionEnvironment batchEnv = StreamExecutionEnvironment.getExecutionEnvironment();
      batchEnv.setParallelism(2);
      assertThat(Backfill.of(warehouse, g, new IcebergEventSource(warehouse, g.source())).withRange(first, last).run(batchEnv).published()).isTrue();
      Map<String, Map<String, Object>> lastRow = new HashMap<>();
      for (Map<String, Object> row : new OfflineReader(warehouse, g).rows(null, null)) lastRow.put((String) row.get("user"), row);

      try (RedisOnlineStore store = new RedisOnlineStore(redis.uri())) {
        OnlineReader reader = new OnlineReader(store);
        assertThat(lastRow).hasSizeGreaterThan(25);
        int mismatches = 0;
        for (Map.Entry<String, Map<String, Object>> e : lastRow.entrySet()) {
          OnlineReader.Result online = reader.get(g, e.getKey());
          assertThat(online.found()).as(e.getKey()).isTrue();
          assertThat(online.validFrom()).isEqualTo(e.getValue().get("valid_from"));
          for (String f : List.of("views_5m", "buys_1h", "spend_1h", "cr_1h")) {
            if (!java.util.Objects.equals(online.features().get(f), e.getValue().get(f))) mismatches++;
          }
        }
        assertThat(mismatches).isZero();
      }
    }
  }

  private static long count(Warehouse w, org.apache.iceberg.catalog.TableIdentifier id) throws Exception {
    long n = 0;
    try (CloseableIterable<Record> it = IcebergGenerics.read(w.load(id)).build()) {
      for (Record ignored : it) n++;
    }
    return n;
  }
}
