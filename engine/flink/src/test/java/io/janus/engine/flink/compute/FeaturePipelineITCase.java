package io.janus.engine.flink.compute;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.testing.Reference;
import io.janus.engine.core.testing.Reference.Row;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.flink.testing.Flink;
import io.janus.engine.iceberg.FeatureTables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The compiled pipeline on a Flink MiniCluster: BATCH and STREAMING both equal the reference. */
class FeaturePipelineITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  static final FeatureGroup GROUP = TestGroups.group(TestGroups.MIX_YAML);

  static List<Row> run(
      List<io.janus.engine.core.event.Event> events, RuntimeExecutionMode mode, int parallelism)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(mode);
    env.setParallelism(parallelism);
    GroupPlan plan = GroupPlan.of(GROUP);
    DataStream<io.janus.engine.core.event.Event> in =
        env.fromData(events, TypeInformation.of(io.janus.engine.core.event.Event.class));
    FeaturePipeline pipeline = FeaturePipeline.of(plan, FeatureTables.rowType(plan.schema()));
    DataStream<RowData> rows =
        mode == RuntimeExecutionMode.BATCH
            ? pipeline.batch(in)
            : pipeline
                .withWatermarks(FeaturePipeline.streamingWatermarks(Duration.ofHours(4), null))
                .streaming(in);
    List<Row> out = new ArrayList<>();
    int n = plan.columnNames().size();
    try (CloseableIterator<RowData> it = rows.executeAndCollect()) {
      while (it.hasNext()) {
        RowData r = it.next();
        List<Object> values = new ArrayList<>();
        for (int c = 0; c < n; c++) {
          int pos = 2 + c;
          if (r.isNullAt(pos)) values.add(null);
          else
            switch (plan.columnTypes()[c]) {
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
    List<io.janus.engine.core.event.Event> events =
        TestGroups.randomEvents(4000, 1, 40, "2024-01-01");
    Collections.shuffle(events, new Random(3));
    assertThat(run(events, RuntimeExecutionMode.BATCH, 2))
        .containsExactlyInAnyOrderElementsOf(Reference.rows(GROUP, events));
  }

  @Test
  void batchKeepsKeysApartWhoseHashesCollide() throws Exception {
    // BATCH groups by a 64-bit hash of the key: "Aa" and "BB" share one (as they share Java's
    // String.hashCode), so their events arrive as one group, interleaved in time.
    assertThat(SortedBatchFunction.hash("Aa")).isEqualTo(SortedBatchFunction.hash("BB"));
    List<io.janus.engine.core.event.Event> events = new ArrayList<>();
    for (io.janus.engine.core.event.Event e : TestGroups.randomEvents(3000, 7, 2, "2024-01-01")) {
      Object[] values = e.values.clone();
      values[2] = "u0".equals(values[2]) ? "Aa" : "BB";
      values[6] = "s-" + values[2];
      events.add(new io.janus.engine.core.event.Event(e.ts, e.id, values));
    }
    List<Row> batch = run(events, RuntimeExecutionMode.BATCH, 2);
    assertThat(batch).extracting(Row::key).contains("Aa", "BB");
    assertThat(batch).containsExactlyInAnyOrderElementsOf(Reference.rows(GROUP, events));
  }

  @Test
  void batchCountsARepeatedEventOnce() throws Exception {
    // Every third event arrives twice (same id, time and values), and "Aa" and "BB" share a hash:
    // the repeats are dropped per entity key, and the rows equal those of the events without them.
    List<io.janus.engine.core.event.Event> events = new ArrayList<>();
    for (io.janus.engine.core.event.Event e : TestGroups.randomEvents(2000, 11, 3, "2024-01-01")) {
      Object[] values = e.values.clone();
      values[2] = "u0".equals(values[2]) ? "Aa" : "u1".equals(values[2]) ? "BB" : values[2];
      values[6] = "s-" + values[2];
      events.add(new io.janus.engine.core.event.Event(e.ts, e.id, values));
    }
    List<io.janus.engine.core.event.Event> repeated = new ArrayList<>(events);
    for (int i = 0; i < events.size(); i += 3) {
      io.janus.engine.core.event.Event e = events.get(i);
      repeated.add(new io.janus.engine.core.event.Event(e.ts, e.id, e.values.clone()));
    }
    Collections.shuffle(repeated, new Random(13));
    assertThat(run(repeated, RuntimeExecutionMode.BATCH, 2))
        .containsExactlyInAnyOrderElementsOf(Reference.rows(GROUP, events));
  }

  @Test
  void streamingEqualsBatch() throws Exception {
    List<io.janus.engine.core.event.Event> events =
        TestGroups.randomEvents(4000, 2, 40, "2024-01-01");
    // Out of order within each hour only: less than the allowed lateness of 4 h, so however the
    // periodic watermark falls (a loaded machine emits some mid-run), no event is late.
    Random rnd = new Random(5);
    Map<io.janus.engine.core.event.Event, Integer> tie = new java.util.IdentityHashMap<>();
    for (io.janus.engine.core.event.Event e : events) tie.put(e, rnd.nextInt());
    events.sort(
        java.util.Comparator.<io.janus.engine.core.event.Event>comparingLong(e -> e.ts / 3_600_000L)
            .thenComparing(tie::get));
    List<Row> batch = run(events, RuntimeExecutionMode.BATCH, 2);
    List<Row> streaming = run(events, RuntimeExecutionMode.STREAMING, 2);
    assertThat(streaming).containsExactlyInAnyOrderElementsOf(batch);
  }
}
