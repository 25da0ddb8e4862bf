package io.janus.local.bench;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.schema.FieldType;
import io.janus.engine.flink.compute.FeatureRows;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineRowEncoder;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.sink.FlinkSink;

/**
 * Synthetic feature tables for the reconcile benchmarks: {@code keys} entities with two change rows
 * each, one yesterday and one today (before now, within any TTL of a day or more), written straight
 * to {@code features.<group>} by a Flink job, so a million keys take seconds rather than a
 * backfill.
 */
final class FeatureTableFixture {
  private final Warehouse warehouse;
  private final FeatureGroup group;
  private final long keys;
  private final long today;

  /**
   * Today's rows fall before now whatever the time of day (within the first minutes after midnight
   * too), the same on every write.
   */
  private final long todaySpan;

  FeatureTableFixture(Warehouse warehouse, FeatureGroup group, long keys) {
    this.warehouse = warehouse;
    this.group = group;
    this.keys = keys;
    this.today =
        LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    this.todaySpan = Math.max(1, Math.min(86_400_000L, System.currentTimeMillis() - today - 1000));
  }

  /** Appends both rows of every key (one snapshot). */
  void writeAll(int parallelism) throws Exception {
    write(parallelism, 2 * keys, 0, false);
  }

  /**
   * Overwrites today's partition, with changed values for every {@code changeEvery}-th key (one
   * overwrite snapshot).
   */
  void rewriteToday(int parallelism, int changeEvery) throws Exception {
    write(parallelism, keys, changeEvery, true);
  }

  private void write(int parallelism, long rows, int changeEvery, boolean todayOnly)
      throws Exception {
    Table table = FeatureTables.createOrLoad(warehouse, group);
    Rows make = rows(table);
    long n = keys;
    GeneratorFunction<Long, RowData> gen = i -> make.row(i % n, todayOnly || i >= n, changeEvery);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    var rowsStream =
        env.fromSource(
            new DataGeneratorSource<>(
                gen,
                rows,
                RateLimiterStrategy.noOp(),
                InternalTypeInfo.of(
                    org.apache.iceberg.flink.FlinkSchemaUtil.convert(table.schema()))),
            WatermarkStrategy.noWatermarks(),
            "synthetic " + group.name() + " rows");
    FlinkSink.forRowData(rowsStream)
        .tableLoader(warehouse.tableLoader(FeatureTables.id(group)))
        .overwrite(todayOnly)
        .distributionMode(DistributionMode.NONE)
        .uidPrefix("janus-bench-" + System.nanoTime())
        .append();
    env.execute(
        "janus bench: synthetic "
            + group.name()
            + " table, "
            + rows
            + " rows"
            + (todayOnly ? " (today rewritten)" : ""));
  }

  /**
   * The guarded writes a full sync makes of this table (each key's latest row, today's), as keys of
   * {@code as} (a group of the same columns under another name, so they are new keys as the sync's
   * were).
   */
  List<OnlineRow> latestOnline(FeatureGroup as) {
    Rows make = rows(FeatureTables.createOrLoad(warehouse, group));
    OnlineRowEncoder encoder = new OnlineRowEncoder(as, make.columns);
    List<OnlineRow> rows = new ArrayList<>((int) keys);
    for (long k = 0; k < keys; k++) rows.add(encoder.encode(make.row(k, true, 0)));
    return rows;
  }

  /** The row maker of {@code table}, in its columns. */
  private Rows rows(Table table) {
    return new Rows(
        group, table.schema().columns().stream().map(f -> f.name()).toList(), today, todaySpan);
  }

  /** Makes the rows of the table: key k's first (yesterday's) or second (today's) row. */
  private static final class Rows implements java.io.Serializable {
    private final List<String> columns;
    private final FeatureRows featureRows;
    private final FieldType[] types;
    private final FieldType[] entityTypes;
    private final long today;
    private final long todaySpan;

    Rows(FeatureGroup group, List<String> columns, long today, long todaySpan) {
      this.columns = columns;
      this.today = today;
      this.todaySpan = todaySpan;
      GroupPlan plan = GroupPlan.of(group);
      featureRows = new FeatureRows(plan, columns);
      types = plan.columnTypes();
      // Entity values of key k: k itself for whole numbers, "k<k>" for text, joined as the
      // pipeline joins them.
      entityTypes =
          group.entity().stream()
              .map(e -> group.source().field(e).orElseThrow().type())
              .toArray(FieldType[]::new);
    }

    RowData row(long k, boolean second, int changeEvery) {
      long vf =
          second
              ? today + Math.floorMod(k * 7919, todaySpan)
              : today - 86_400_000L + Math.floorMod(k * 104_729, 86_400_000L);
      long v = k + (second ? 1 : 0) + (changeEvery > 0 && k % changeEvery == 0 ? 1000 : 0);
      StringBuilder key = new StringBuilder();
      for (int e = 0; e < entityTypes.length; e++) {
        if (e > 0) key.append(GroupPlan.KEY_SEPARATOR);
        key.append(entityTypes[e] == FieldType.LONG ? Long.toString(k) : "k" + k);
      }
      return featureRows.row(key.toString(), vf, values(types, v, vf));
    }
  }

  /**
   * Synthetic feature values of column types {@code types} derived from {@code v}: a few distinct
   * values per column, as real features have; timestamps are {@code ts}.
   */
  static Object[] values(FieldType[] types, long v, long ts) {
    Object[] values = new Object[types.length];
    for (int c = 0; c < types.length; c++) {
      values[c] =
          switch (types[c]) {
            case LONG -> v % (17 + c);
            case DOUBLE -> (v % (100 + c)) / 4.0;
            case STRING -> "s" + v % 10;
            case BOOLEAN -> v % 2 == 0;
            case TIMESTAMP -> ts;
          };
    }
    return values;
  }
}
