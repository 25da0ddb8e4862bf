package io.janus.engine.online.redis.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.online.KeyFilter;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The scan source on a MiniCluster against a real redis-server, with parallelism 2 (one split). */
class RedisScanSourceITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final int GA = 5000;
  private static final int GB = 1000;

  @TempDir Path dir;

  @Test
  void scansEveryFeatureHashOfTheGroupOnce() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir)) {
      fill(redis.uri());
      Map<String, String[]> got = scan(redis.uri(), KeyFilter.ALL);
      assertThat(got.keySet())
          .isEqualTo(IntStream.range(0, GA).mapToObj(i -> "u" + i).collect(Collectors.toSet()));
      for (int i = 0; i < GA; i++) {
        assertThat(got.get("u" + i))
            .containsExactly(
                "u" + i, Long.toString(1000L + i), "v1", "a" + i, i % 2 == 0 ? "b" + i : null);
      }
    }
  }

  @Test
  void readsOnlyTheKeysTheFilterAccepts() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir)) {
      fill(redis.uri());
      Map<String, String[]> got = scan(redis.uri(), k -> k.hashCode() % 3 == 0);
      var expected =
          IntStream.range(0, GA)
              .mapToObj(i -> "u" + i)
              .filter(k -> k.hashCode() % 3 == 0)
              .collect(Collectors.toSet());
      assertThat(expected).isNotEmpty().hasSizeLessThan(GA);
      assertThat(got.keySet()).isEqualTo(expected);
      assertThat(got.get(expected.iterator().next())[2]).isEqualTo("v1");
    }
  }

  @Test
  void globCharactersInTheGroupNameMatchLiterally() {
    assertThat(RedisOnlineStore.matchPattern("ga")).isEqualTo("ga:*");
    assertThat(RedisOnlineStore.matchPattern("a*b?[c]\\")).isEqualTo("a\\*b\\?\\[c\\]\\\\:*");
  }

  /** Runs the source and returns its records by entity key, failing on a key emitted twice. */
  private static Map<String, String[]> scan(String uri, KeyFilter filter) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.setParallelism(2);
    List<String[]> out = new ArrayList<>();
    try (CloseableIterator<String[]> it =
        env.fromSource(
                new RedisScanSource(uri, "ga", List.of("f1", "f2"), filter),
                WatermarkStrategy.noWatermarks(),
                "scan",
                BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO)
            .executeAndCollect()) {
      it.forEachRemaining(out::add);
    }
    return out.stream()
        .collect(Collectors.toMap(r -> r[0], Function.identity())); // throws on duplicates
  }

  /** Group ga (f2 on even keys only), group gb, and keys the scan must skip. */
  private static void fill(String uri) {
    RedisClient client = RedisClient.create(uri);
    try (var conn = client.connect()) {
      var async = conn.async();
      List<RedisFuture<?>> futures = new ArrayList<>();
      conn.setAutoFlushCommands(false);
      for (int i = 0; i < GA; i++) {
        Map<String, String> h =
            new HashMap<>(
                Map.of("_valid_from", Long.toString(1000L + i), "_version", "v1", "f1", "a" + i));
        if (i % 2 == 0) h.put("f2", "b" + i);
        futures.add(async.hset("ga:u" + i, h));
      }
      for (int i = 0; i < GB; i++) {
        futures.add(
            async.hset("gb:u" + i, Map.of("_valid_from", "1", "_version", "v1", "f1", "x")));
      }
      futures.add(async.set("ga:junk", "not a hash"));
      futures.add(async.hset("ga:plain", Map.of("f1", "no _valid_from")));
      futures.add(async.hset("_janus:sync:ga", Map.of("_valid_from", "1", "_version", "v1")));
      conn.flushCommands();
      conn.setAutoFlushCommands(true);
      assertThat(
              LettuceFutures.awaitAll(Duration.ofSeconds(30), futures.toArray(new RedisFuture[0])))
          .isTrue();
      assertThat(conn.sync().dbsize()).isEqualTo(GA + GB + 3L);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
