package io.janus.engine.online.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineStore;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.redis.RedisOnlineStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The online sink against a real redis-server, in real Flink jobs. */
class OnlineSinkITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @TempDir Path dir;

  static OnlineRow row(String key, long validFrom) {
    return new OnlineRow("g", key, validFrom, "v1", 0, Map.of("f", Long.toString(validFrom)));
  }

  /** Row {@code i} of the test streams: key {@code k<i % keys>}, valid from {@code i}. */
  record Rows(int keys) implements ElementConverter<Long, OnlineRow> {
    @Override
    public OnlineRow apply(Long i, org.apache.flink.api.connector.sink2.SinkWriter.Context c) {
      return row("k" + (i % keys), i);
    }
  }

  @Test
  void aPartlyFilledBatchGoesOutWithoutWaitingForMoreRows() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
        OnlineStore reader = new RedisOnlineStore(redis.uri())) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(1);
      // One row, then the next only 20 s later: the first must not wait for a batch of 500.
      env.fromSource(
              new DataGeneratorSource<>(i -> i, 3, RateLimiterStrategy.perSecond(0.05), Types.LONG),
              WatermarkStrategy.noWatermarks(),
              "slow rows")
          .sinkTo(
              OnlineSink.builder(RedisOnlineStore.factory(redis.uri()), new Rows(1000)).build());
      JobClient job = env.executeAsync("slow stream");
      try {
        Map<String, String> first = null;
        long deadline = System.currentTimeMillis() + 15_000;
        while (first == null && System.currentTimeMillis() < deadline) {
          first = reader.multiGet(List.of("g:k0")).get(0);
          if (first == null) Thread.sleep(20);
        }
        assertThat(first).as("the first row reached Redis on its own").containsEntry("f", "0");
        assertThat(reader.multiGet(List.of("g:k1")).get(0))
            .as("the second is not due yet")
            .isNull();
      } finally {
        job.cancel().get();
      }
    }
  }

  @Test
  void everyKeyEndsAtItsNewestRowAndTheFiguresCountWhatTheGuardRefused() throws Exception {
    int keys = 300;
    List<Long> rows = new ArrayList<>();
    for (long i = 0; i < keys * 10L; i++) rows.add(i); // key i % keys, valid from i: 10 per key
    Collections.shuffle(rows, new Random(7)); // older rows arrive after newer ones
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
        OnlineStore store = new RedisOnlineStore(redis.uri())) {
      // Keys k0..k99 already hold a value newer than anything the job writes.
      List<OnlineRow> newer = new ArrayList<>();
      for (int k = 0; k < 100; k++) newer.add(row("k" + k, 1_000_000 + k));
      assertThat(store.multiPut(newer).get()).containsOnly(true);

      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      env.setRuntimeMode(RuntimeExecutionMode.BATCH);
      OnlineStoreFactory stores = RedisOnlineStore.factory(redis.uri());
      env.fromData(rows, Types.LONG)
          .rebalance()
          .sinkTo(OnlineSink.builder(stores, new Rows(keys)).reportFiguresAs("t").build());
      JobExecutionResult r = env.execute("batch of versions");

      for (int k = 0; k < keys; k++) {
        long expected = k < 100 ? 1_000_000 + k : k + (keys * 9L);
        assertThat(store.multiGet(List.of("g:k" + k)).get(0))
            .as("key k%d", k)
            .containsEntry("_valid_from", Long.toString(expected));
      }
      long landed = r.<Long>getAccumulatorResult(OnlineSink.landed("t"));
      long refused = r.<Long>getAccumulatorResult(OnlineSink.refused("t"));
      assertThat(refused)
          .as("at least one refused row per key that held a newer value")
          .isGreaterThanOrEqualTo(100);
      assertThat(landed)
          .as("at least the newest row of each other key")
          .isGreaterThanOrEqualTo(keys - 100);
      assertThat(landed + refused).as("no more than were sent").isLessThanOrEqualTo(rows.size());
      assertThat(r.<Long>getAccumulatorResult(OnlineSink.retractions("t"))).isZero();
    }
  }
}
