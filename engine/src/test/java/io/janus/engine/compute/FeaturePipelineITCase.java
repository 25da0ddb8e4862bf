package io.janus.engine.compute;

import static io.janus.engine.testing.TestGroups.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.definition.FeatureGroup;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.testing.Reference;
import io.janus.engine.testing.Reference.Row;
import io.janus.engine.testing.TestGroups;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The compiled pipeline on a Flink MiniCluster: BATCH and STREAMING both equal the reference. */
class FeaturePipelineITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final FeatureGroup GROUP = TestGroups.group("""
      name: mix
      version: 1
      entity: [user]
      source: clicks
      hop: 1m
      ttl: 1d
      features:
        - {name: v5,  agg: count, where: "kind == 'view'", window: 5m}
        - {name: v60, agg: count, where: "kind == 'view'", window: 1h}
        - {name: s30, agg: sum, of: amount, where: "kind == 'buy'", window: 30m}
        - {name: hi,  agg: max, of: amount, window: 1h}
        - {name: li,  agg: last, of: item, window: 15m}
        - {name: d,   agg: approx_count_distinct, of: item, window: 20m}
        - {name: all, agg: count, window: lifetime}
        - {name: r,   agg: ratio, num: s30, den: v60}
      """);

  static List<io.janus.engine.compute.Event> randomEvents(int n, long seed) {
    Random rnd = new Random(seed);
    List<io.janus.engine.compute.Event> events = new ArrayList<>();
    long base = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    String[] kinds = {"view", "view", "click", "buy"};
    for (int i = 0; i < n; i++) {
      long ts = base + (long) (rnd.nextDouble() * 3 * 3_600_000L);
      Double amount = rnd.nextInt(5) == 0 ? null : Math.round(rnd.nextDouble() * 10000) / 100.0;
      events.add(event(String.format("e%06d", i), ts, "u" + rnd.nextInt(40), kinds[rnd.nextInt(4)], amount, "i" + rnd.nextInt(8)));
    }
    return events;
  }

  static List<Row> run(List<io.janus.engine.compute.Event> events, RuntimeExecutionMode mode, int parallelism) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(mode);
    env.setParallelism(parallelism);
    GroupPlan plan = GroupPlan.of(GROUP);
    boolean batch = mode == RuntimeExecutionMode.BATCH;
    DataStream<io.janus.engine.compute.Event> in = env.fromData(events, TypeInformation.of(io.janus.engine.compute.Event.class));
    DataStream<RowData> rows = new FeaturePipeline(plan, FeatureTables.rowType(plan))
        .compute(in, batch, batch ? FeaturePipeline.batchTimestamps()
            : FeaturePipeline.streamingWatermarks(Duration.ofHours(4), null));
    List<Row> out = new ArrayList<>();
    int n = plan.columnNames().size();
    try (CloseableIterator<RowData> it = rows.executeAndCollect()) {
      while (it.hasNext()) {
        RowData r = it.next();
        List<Object> values = new ArrayList<>();
        for (int c = 0; c < n; c++) {
          int pos = 2 + c;
          if (r.isNullAt(pos)) values.add(null);
          else switch (plan.columnTypes()[c]) {
            case LONG -> values.add(r.getLong(pos));
            case DOUBLE -> values.add(r.getDouble(pos));
            case STRING -> values.add(r.getString(pos).toString());
            default -> throw new IllegalStateException();
          }
        }
        long validFrom = r.getTimestamp(1, 6).getMillisecond();
        assertThat(r.getInt(2 + n)).isEqualTo((int) Math.floorDiv(validFrom, 86_400_000L));
        out.add(new Row(r.getString(0).toString(), validFrom, values));
      }
    }
    return out;
  }

  @Test
  void batchEqualsReference() throws Exception {
    List<io.janus.engine.compute.Event> events = randomEvents(4000, 1);
    Collections.shuffle(events, new Random(3));
    assertThat(run(events, RuntimeExecutionMode.BATCH, 2)).containsExactlyInAnyOrderElementsOf(Reference.rows(GROUP, events));
  }

  @Test
  void streamingEqualsBatch() throws Exception {
    List<io.janus.engine.compute.Event> events = randomEvents(4000, 2);
    Collections.shuffle(events, new Random(5));
    List<Row> batch = run(events, RuntimeExecutionMode.BATCH, 2);
    List<Row> streaming = run(events, RuntimeExecutionMode.STREAMING, 2);
    assertThat(streaming).containsExactlyInAnyOrderElementsOf(batch);
  }
}
