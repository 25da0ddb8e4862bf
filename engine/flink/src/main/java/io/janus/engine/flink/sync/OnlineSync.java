package io.janus.engine.flink.sync;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.compute.Accumulators;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.changes.SyncMarker;
import io.janus.engine.iceberg.changes.SyncPlan;
import io.janus.engine.iceberg.changes.SyncPlanner;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineRowEncoder;
import io.janus.engine.online.OnlineStore;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.sink.OnlineSink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.CloseableIterator;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online sync (DESIGN §6): pushes what changed in a group's published feature table since the
 * target last synced into Redis, through the same guarded writes as streaming, as Flink BATCH jobs.
 *
 * <ul>
 *   <li>First sync of a target (or its marker no longer usable): the latest row of every key.
 *   <li>Later syncs: the {@code ds} partitions whose files changed (see {@link SyncPlanner}) are
 *       read as of the last synced snapshot and as of main's current one; per key the latest row
 *       wins. A key whose latest row moved back or vanished (a corrected day) is looked up in the
 *       older partitions and written with {@code replaceUpTo}, or removed, so stale values do not
 *       survive.
 *   <li>Nothing new: nothing is read.
 * </ul>
 *
 * The guard keeps newer streamed values; rows past the group's TTL are not written (the store would
 * drop them at once). Rows valid later than the sync's clock are not written either (DESIGN §4: the
 * store never serves a value from the future; each key keeps the row valid now): the marker
 * remembers the earliest of them, and the first sync after it is due reads its partition and every
 * later one again, as of the clock then. The marker ({@link SyncMarkers}) moves only after every
 * write landed.
 */
public final class OnlineSync {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineSync.class);

  /** Prefix of the online sink's figures (accumulators) in a sync job. */
  private static final String FIGURES = "janus-sync";

  /** Accumulators: rows valid after the clock, and the earliest valid_from among them. */
  static final String DEFERRED = "janus-sync-deferred";

  static final String DEFERRED_FROM = "janus-sync-deferred-from";

  private final Warehouse warehouse;
  private final FeatureGroup group;
  private final OnlineStoreFactory stores;
  private final long nowMs;

  private OnlineSync(
      Warehouse warehouse, FeatureGroup group, OnlineStoreFactory stores, long nowMs) {
    this.warehouse = warehouse;
    this.group = group;
    this.stores = stores;
    this.nowMs = nowMs;
  }

  /** A sync of {@code group}'s feature table into the online store of {@code stores}. */
  public static OnlineSync of(Warehouse warehouse, FeatureGroup group, OnlineStoreFactory stores) {
    return new OnlineSync(warehouse, group, stores, System.currentTimeMillis());
  }

  /**
   * The same sync as if run at {@code epochMillis}: TTL expiry is judged then, and rows valid later
   * than that (plus {@link OnlineRowEncoder#AHEAD_OF_CLOCK}) wait for a later sync.
   */
  public OnlineSync withNow(long epochMillis) {
    return new OnlineSync(warehouse, group, stores, epochMillis);
  }

  /** Plans, runs the job(s) on {@code env} (switched to BATCH), and moves the marker. */
  public SyncResult run(StreamExecutionEnvironment env) throws Exception {
    long t0 = System.currentTimeMillis();
    if (!warehouse.exists(FeatureTables.id(group))) {
      throw new NoSuchElementException(
          "feature table "
              + FeatureTables.id(group)
              + " does not exist yet: run a backfill of "
              + group.name()
              + " first");
    }
    Table table = warehouse.load(FeatureTables.id(group));
    String tableName = FeatureTables.id(group).toString();
    FeatureTables.requireColumns(table, group);
    try (OnlineStore store = stores.open()) {
      SyncMarkers markers = new SyncMarkers(store);
      SyncMarker marker = markers.get(tableName);
      // Never behind the last sync's clock (another host's clock, or withNow in the past): the
      // target already holds rows valid up to then.
      long asOfMs =
          Math.max(
              nowMs + OnlineRowEncoder.AHEAD_OF_CLOCK.toMillis(),
              marker == null || marker.asOfMs() == SyncMarker.EVERYTHING
                  ? Long.MIN_VALUE
                  : marker.asOfMs());
      SyncPlan syncPlan = SyncPlanner.plan(table, FeatureTables.DS, marker, asOfMs);
      if (syncPlan.warning() != null) LOG.warn("sync {}: {}", group.name(), syncPlan.warning());
      LOG.info("sync {}: {}", group.name(), syncPlan);
      if (syncPlan.mode() == SyncPlan.Mode.NONE) {
        return new SyncResult(
            group.name(), syncPlan, 0, 0, 0, 0, 0, 0, 0, 0, System.currentTimeMillis() - t0);
      }
      env.setRuntimeMode(RuntimeExecutionMode.BATCH);
      Job job = new Job(env, table);
      JobExecutionResult r;
      long corrected = 0;
      JobExecutionResult second = null;
      if (syncPlan.mode() == SyncPlan.Mode.FULL) {
        DataStream<RowData> latest =
            job.read(syncPlan.toSnapshot(), List.of(), asOfMs, true, "full load")
                .keyBy(job.key())
                .process(new LatestPerKey(job.tableType, job.encoder), job.tableInfo())
                .name("latest row per key");
        job.write(
            latest
                .filter(new Unexpired(job.encoder, nowMs))
                .name("drop rows past the TTL")
                .map(new AsWrite(job.rows))
                .returns(job.syncInfo())
                .name("as guarded write"));
        r =
            env.execute(
                "janus sync " + group.name() + ": full load of snapshot " + syncPlan.toSnapshot());
      } else {
        List<Expression> days = List.of(reread(syncPlan));
        // Before: what the target got from the last sync (rows up to its clock); after: main now.
        DataStream<RowData> before =
            job.read(syncPlan.fromSnapshot(), days, marker.asOfMs(), false, "changed days before");
        DataStream<RowData> after =
            job.read(syncPlan.toSnapshot(), days, asOfMs, true, "changed days after");
        SingleOutputStreamOperator<RowData> changed =
            before
                .keyBy(job.key())
                .connect(after.keyBy(job.key()))
                .process(
                    new ChangedKeys(job.tableType, job.encoder, job.rows, nowMs), job.syncInfo())
                .name("latest row per key, before vs after");
        job.write(changed);
        List<RowData> corrections = new ArrayList<>();
        try (CloseableIterator<RowData> it =
            changed.getSideOutput(ChangedKeys.CORRECTIONS).collectAsync()) {
          // Asynchronously: the collect sink waits for the client to fetch what it holds.
          JobClient client =
              env.executeAsync(
                  String.format(
                      "janus sync %s: snapshots %d..%d, days %s%s",
                      group.name(),
                      syncPlan.fromSnapshot(),
                      syncPlan.toSnapshot(),
                      String.join(",", syncPlan.changedDays()),
                      syncPlan.dueFrom() == null ? "" : " and from " + syncPlan.dueFrom()));
          it.forEachRemaining(corrections::add);
          r = client.getJobExecutionResult().get();
        }
        corrected = corrections.size();
        if (!corrections.isEmpty()) {
          second = correct(env, syncPlan, table, corrections, asOfMs);
        }
      }
      // Rows of partitions this sync did not read keep waiting from where the last marker said.
      long deferredFrom = earliest(r, DEFERRED_FROM);
      if (syncPlan.mode() == SyncPlan.Mode.INCREMENTAL && syncPlan.dueFrom() == null) {
        deferredFrom = Math.min(deferredFrom, marker.deferredFromMs());
      }
      markers.put(
          new SyncMarker(
              tableName,
              table.uuid().toString(),
              syncPlan.toSnapshot(),
              System.currentTimeMillis(),
              asOfMs,
              deferredFrom));
      return new SyncResult(
          group.name(),
          syncPlan,
          sum(r, second, CountRows.ROWS_READ),
          sum(r, second, OnlineSink.landed(FIGURES)),
          sum(r, second, OnlineSink.refused(FIGURES)),
          sum(r, second, OnlineSink.retractions(FIGURES)),
          sum(r, second, ChangedKeys.UNCHANGED),
          sum(r, second, ChangedKeys.EXPIRED),
          corrected,
          Accumulators.count(r, DEFERRED),
          System.currentTimeMillis() - t0);
    }
  }

  /**
   * The second pass, on the same environment (its first job is done): the corrected keys' rows in
   * unchanged partitions up to the last changed day. The key set travels in the job graph, which
   * suits the few keys a corrected day usually moves back.
   */
  private JobExecutionResult correct(
      StreamExecutionEnvironment env,
      SyncPlan syncPlan,
      Table table,
      List<RowData> corrections,
      long asOfMs)
      throws Exception {
    Job job = new Job(env, table);
    Set<String> keys = new HashSet<>();
    for (RowData c : corrections) keys.add(job.encoder.key(c));
    List<Expression> older = new ArrayList<>();
    if (!syncPlan.changedDays().isEmpty()) {
      older.add(Expressions.notIn(FeatureTables.DS, syncPlan.changedDays().toArray()));
    }
    older.add(
        syncPlan.dueFrom() != null
            ? Expressions.lessThan(FeatureTables.DS, syncPlan.dueFrom())
            : Expressions.lessThanOrEqual(
                FeatureTables.DS, syncPlan.changedDays().get(syncPlan.changedDays().size() - 1)));
    OnlineRowEncoder encoder = job.encoder;
    DataStream<RowData> rowsOfKeys =
        job.read(syncPlan.toSnapshot(), older, asOfMs, false, "unchanged days of corrected keys")
            .filter(row -> keys.contains(encoder.key(row)))
            .name("rows of the " + keys.size() + " corrected keys");
    job.write(
        env.fromData(corrections, job.syncInfo())
            .name("corrections")
            .keyBy(job.key())
            .connect(rowsOfKeys.keyBy(job.key()))
            .process(
                new CorrectedKeys(job.rows.type(), job.tableType, job.encoder, job.rows, nowMs),
                job.syncInfo())
            .name("newest row per corrected key"));
    return env.execute(
        "janus sync " + group.name() + ": correct " + keys.size() + " keys from older days");
  }

  /** The partitions an incremental sync reads on both sides: changed ones, and the due ones. */
  private static Expression reread(SyncPlan plan) {
    Expression changed =
        plan.changedDays().isEmpty()
            ? Expressions.alwaysFalse()
            : Expressions.in(FeatureTables.DS, plan.changedDays().toArray());
    return plan.dueFrom() == null
        ? changed
        : Expressions.or(changed, Expressions.greaterThanOrEqual(FeatureTables.DS, plan.dueFrom()));
  }

  /** The value of a {@link LongMinimum} accumulator, or {@link Long#MAX_VALUE} without one. */
  private static long earliest(JobExecutionResult r, String name) {
    Object v = r.getAccumulatorResult(name);
    return v instanceof Long l ? l : Long.MAX_VALUE;
  }

  private static long sum(JobExecutionResult a, JobExecutionResult b, String name) {
    return Accumulators.count(a, name) + (b == null ? 0 : Accumulators.count(b, name));
  }

  /** The pieces of one sync job graph. */
  private final class Job {
    final StreamExecutionEnvironment env;
    final Table table;
    final RowType tableType;
    final SyncRows rows;
    final OnlineRowEncoder encoder;

    Job(StreamExecutionEnvironment env, Table table) {
      this.env = env;
      this.table = table;
      this.tableType = FlinkSchemaUtil.convert(table.schema());
      this.rows = new SyncRows(tableType);
      this.encoder = new OnlineRowEncoder(group, rows.type().getFieldNames());
    }

    TypeInformation<RowData> tableInfo() {
      return InternalTypeInfo.of(tableType);
    }

    TypeInformation<RowData> syncInfo() {
      return InternalTypeInfo.of(rows.type());
    }

    KeySelector<RowData, String> key() {
      OnlineRowEncoder e = encoder;
      return new KeySelector<>() {
        @Override
        public String getKey(RowData row) {
          return e.key(row);
        }
      };
    }

    /**
     * Rows of main's table as of {@code snapshot} in the current schema (older files read their
     * missing columns as null), valid up to {@code asOfMs}; when {@code measureDeferred}, the later
     * ones are counted and the earliest of them kept (for the marker).
     */
    DataStream<RowData> read(
        long snapshot,
        List<Expression> filters,
        long asOfMs,
        boolean measureDeferred,
        String what) {
      IcebergSource<RowData> src =
          IcebergSource.forRowData()
              .tableLoader(warehouse.tableLoader(FeatureTables.id(group)))
              .useSnapshotId(snapshot)
              .project(table.schema())
              .filters(filters)
              .build();
      String name = "iceberg " + FeatureTables.id(group) + " @" + snapshot + " (" + what + ")";
      return env.fromSource(src, WatermarkStrategy.noWatermarks(), name, tableInfo())
          .filter(new CountRows("sync " + group.name() + " " + what + " rows read"))
          .name("count " + what + " rows")
          .filter(new ValidBy(encoder, asOfMs, measureDeferred))
          .name(
              "rows valid by "
                  + (asOfMs == SyncMarker.EVERYTHING
                      ? "any time"
                      : java.time.Instant.ofEpochMilli(asOfMs))
                  + " ("
                  + what
                  + ")")
          .transform(
              "latest row per key before the shuffle (" + what + ")",
              tableInfo(),
              new LatestRowCombiner(tableType, encoder, false));
    }

    void write(DataStream<RowData> syncRows) {
      syncRows
          .sinkTo(
              OnlineSink.builder(stores, new SyncRowConverter(encoder, rows))
                  .reportFiguresAs(FIGURES)
                  .build())
          .name("guarded writes to the online store (" + stores + ")");
    }
  }

  /** Keeps rows still within the TTL at the sync's time, counting the others. */
  private static final class Unexpired
      extends org.apache.flink.api.common.functions.RichFilterFunction<RowData> {
    private final OnlineRowEncoder encoder;
    private final long nowMs;
    private transient org.apache.flink.api.common.accumulators.LongCounter expired;

    Unexpired(OnlineRowEncoder encoder, long nowMs) {
      this.encoder = encoder;
      this.nowMs = nowMs;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
      expired = getRuntimeContext().getLongCounter(ChangedKeys.EXPIRED);
    }

    @Override
    public boolean filter(RowData row) {
      if (!encoder.isExpired(encoder.validFrom(row), nowMs)) return true;
      expired.add(1);
      return false;
    }
  }

  /**
   * Keeps rows valid by a time; when {@code measure}, counts the others ({@link #DEFERRED}) and
   * keeps the earliest valid_from among them ({@link #DEFERRED_FROM}).
   */
  private static final class ValidBy
      extends org.apache.flink.api.common.functions.RichFilterFunction<RowData> {
    private final OnlineRowEncoder encoder;
    private final long asOfMs;
    private final boolean measure;
    private transient org.apache.flink.api.common.accumulators.LongCounter deferred;
    private transient LongMinimum deferredFrom;

    ValidBy(OnlineRowEncoder encoder, long asOfMs, boolean measure) {
      this.encoder = encoder;
      this.asOfMs = asOfMs;
      this.measure = measure;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
      if (!measure) return;
      deferred = getRuntimeContext().getLongCounter(DEFERRED);
      deferredFrom = new LongMinimum();
      getRuntimeContext().addAccumulator(DEFERRED_FROM, deferredFrom);
    }

    @Override
    public boolean filter(RowData row) {
      long validFrom = encoder.validFrom(row);
      if (validFrom <= asOfMs) return true;
      if (measure) {
        deferred.add(1);
        deferredFrom.add(validFrom);
      }
      return false;
    }
  }

  /** A table row as a plain guarded write. */
  private record AsWrite(SyncRows rows)
      implements org.apache.flink.api.common.functions.MapFunction<RowData, RowData> {
    @Override
    public RowData map(RowData row) {
      return rows.write(row, OnlineRow.NO_REPLACE);
    }
  }
}
