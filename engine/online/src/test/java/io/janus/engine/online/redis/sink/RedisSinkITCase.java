package io.janus.engine.online.redis.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.online.OnlineRowEncoder;
import io.janus.engine.online.redis.RedisOnlineStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming Redis sink's writer against a real redis-server, with a processing-time service the
 * test drives.
 */
class RedisSinkITCase {
  @TempDir Path dir;

  /**
   * Processing time that moves only when the test says so; due timers fire in the test's thread, as
   * in a task's.
   */
  static final class ManualTime implements ProcessingTimeService {
    long now = 1_000;
    final TreeMap<Long, List<ProcessingTimeCallback>> timers = new TreeMap<>();

    @Override
    public long getCurrentProcessingTime() {
      return now;
    }

    @Override
    public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
      timers.computeIfAbsent(timestamp, t -> new ArrayList<>()).add(callback);
      return null;
    }

    void advance(long ms) throws Exception {
      now += ms;
      while (!timers.isEmpty() && timers.firstKey() <= now) {
        for (ProcessingTimeCallback c : timers.pollFirstEntry().getValue()) c.onProcessingTime(now);
      }
    }
  }

  @Test
  void aPartlyFilledBatchGoesOutAfterAFewMillisecondsWithoutMoreRows() throws Exception {
    FeatureGroup g = TestGroups.group(TestGroups.ACTIVITY_YAML);
    GroupPlan plan = GroupPlan.of(g);
    List<String> columns = plan.schema().columnNames();
    OnlineRowEncoder encoder = new OnlineRowEncoder(plan, columns);
    ManualTime time = new ManualTime();
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
        RedisOnlineStore reader = new RedisOnlineStore(redis.uri())) {
      GuardedWriter guarded =
          new GuardedWriter(
              new RedisOnlineStore(redis.uri()),
              500,
              8,
              new SimpleCounter(),
              new SimpleCounter(),
              new SimpleCounter());
      RedisSink.Writer writer =
          new RedisSink.Writer(guarded, encoder, new DescriptiveStatisticsHistogram(100), time);
      long validFrom = System.currentTimeMillis();
      GenericRowData row = new GenericRowData(columns.size());
      row.setField(0, StringData.fromString("u1"));
      row.setField(1, TimestampData.fromEpochMillis(validFrom));
      row.setField(columns.size() - 1, (int) (validFrom / 86_400_000L));
      writer.write(row, null);
      assertThat(guarded.hasBuffered()).as("one row does not fill a batch of 500").isTrue();
      String key = g.name() + ":u1";
      assertThat(reader.multiGet(List.of(key)).get(0)).isNull();

      time.advance(5);
      assertThat(guarded.hasBuffered()).as("sent by the timer, not by a later row").isFalse();
      Map<String, String> stored = null;
      for (int i = 0; i < 200 && stored == null; i++) {
        stored = reader.multiGet(List.of(key)).get(0);
        if (stored == null) Thread.sleep(10);
      }
      assertThat(stored)
          .as("the row reached Redis")
          .isNotNull()
          .containsEntry("_valid_from", Long.toString(validFrom));
      writer.close();
    }
  }
}
