package io.janus.engine.flink.parity;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.sync.LatestRowCombiner;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.changes.SyncMarker;
import io.janus.engine.online.KeyFilter;
import io.janus.engine.online.OnlineRowEncoder;
import io.janus.engine.online.OnlineStore;
import io.janus.engine.online.OnlineStoreFactory;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.InstantiationUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;

/**
 * Parity check (DESIGN §6) as a Flink BATCH job: the group's offline rows (main, or a given
 * snapshot) and its online hashes (a SCAN of Redis) meet per key; each sampled key's online values
 * are compared with the offline row valid at the online valid_from; one operator adds it all up.
 *
 * <p>Sampling is by key hash on both sides, so a sample costs Redis reads only for the sampled keys
 * (the offline table is read in full: a key's row valid at a given time can be in any partition).
 * The sources keep about twice the sample (the fraction comes from the number of online keys) and
 * the summary keeps exactly the {@code n} non-expired keys of smallest hash, so re-runs check the
 * same keys.
 */
public final class ParityCheck {
  private final Warehouse warehouse;
  private final FeatureGroup group;
  private final OnlineStoreFactory stores;
  private final Integer sampleSize;
  private final Long snapshotId;
  private final double maxMismatchRate;
  private final int examples;
  private final long nowMs;

  private ParityCheck(
      Warehouse warehouse,
      FeatureGroup group,
      OnlineStoreFactory stores,
      Integer sampleSize,
      Long snapshotId,
      double maxMismatchRate,
      int examples,
      long nowMs) {
    this.warehouse = warehouse;
    this.group = group;
    this.stores = stores;
    this.sampleSize = sampleSize;
    this.snapshotId = snapshotId;
    this.maxMismatchRate = maxMismatchRate;
    this.examples = examples;
    this.nowMs = nowMs;
  }

  /**
   * Every key of {@code group}, against main's current snapshot, no mismatch tolerated, ten
   * examples.
   */
  public static ParityCheck of(Warehouse warehouse, FeatureGroup group, OnlineStoreFactory stores) {
    return new ParityCheck(warehouse, group, stores, null, null, 0, 10, System.currentTimeMillis());
  }

  /** Checks a sample of {@code n} keys instead of every key. */
  public ParityCheck withSample(int n) {
    if (n <= 0) throw new IllegalArgumentException("--sample must be positive, got " + n);
    return new ParityCheck(
        warehouse, group, stores, n, snapshotId, maxMismatchRate, examples, nowMs);
  }

  /** Compares with the offline table as of {@code snapshot} instead of main's current state. */
  public ParityCheck withSnapshot(long snapshot) {
    return new ParityCheck(
        warehouse, group, stores, sampleSize, snapshot, maxMismatchRate, examples, nowMs);
  }

  /** The largest share of checked keys that may fail before the check does (0..1). */
  public ParityCheck withMaxMismatchRate(double rate) {
    if (rate < 0 || rate > 1 || Double.isNaN(rate))
      throw new IllegalArgumentException("--max-mismatch-rate must be within 0..1, got " + rate);
    return new ParityCheck(warehouse, group, stores, sampleSize, snapshotId, rate, examples, nowMs);
  }

  /** How many of the worst keys the report lists. */
  public ParityCheck withExamples(int n) {
    if (n < 0) throw new IllegalArgumentException("--examples must not be negative, got " + n);
    return new ParityCheck(
        warehouse, group, stores, sampleSize, snapshotId, maxMismatchRate, n, nowMs);
  }

  /**
   * The same check as if run at {@code epochMillis}: rows valid after it (plus {@link
   * OnlineRowEncoder#AHEAD_OF_CLOCK}) are not expected online yet, and TTL expiry is judged then. A
   * bounded stream that ended at that time wrote every row due by it; this checks exactly that.
   */
  public ParityCheck withNow(long epochMillis) {
    return new ParityCheck(
        warehouse, group, stores, sampleSize, snapshotId, maxMismatchRate, examples, epochMillis);
  }

  /** Runs the check on {@code env} (switched to BATCH). */
  public ParityReport run(StreamExecutionEnvironment env) throws Exception {
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
    long snapshot = resolveSnapshot(table);
    FeatureTables.requireColumns(table, group);
    List<String> features = group.schema().featureNames();
    RowType tableType = FlinkSchemaUtil.convert(table.schema());
    OnlineRowEncoder encoder = new OnlineRowEncoder(group, tableType.getFieldNames());
    long threshold =
        sampleSize == null
            ? Long.MAX_VALUE
            : Sampling.threshold(2.0 * sampleSize / Math.max(1, countOnlineKeys()));

    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    IcebergSource<RowData> src =
        IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(FeatureTables.id(group)))
            .useSnapshotId(snapshot)
            .project(table.schema())
            .build();
    DataStream<RowData> offline =
        env.fromSource(
            src,
            WatermarkStrategy.noWatermarks(),
            "iceberg " + FeatureTables.id(group) + " @" + snapshot,
            InternalTypeInfo.of(tableType));
    if (threshold != Long.MAX_VALUE) {
      offline =
          offline
              .filter(row -> Sampling.hash(encoder.key(row)) < threshold)
              .name("sampled keys (offline)");
    }
    // Online is expected to hold, per key, at least the row due when the store was last brought up
    // to date (the sync's clock, else now); rows valid after that up to now may or may not be
    // online yet (a live stream writes them as they fall due), and later rows never are.
    long due =
        Math.min(
            nowMs + OnlineRowEncoder.AHEAD_OF_CLOCK.toMillis(),
            syncedUpTo(FeatureTables.id(group).toString()));
    // A live stream keeps writing while the job runs and scans: rows up to an hour ahead are kept
    // for the comparison (later ones cannot be online before the scan ends).
    long horizon = Math.max(nowMs, System.currentTimeMillis()) + 3_600_000L;
    DataStream<RowData> window =
        offline
            .filter(row -> encoder.validFrom(row) > due && encoder.validFrom(row) <= horizon)
            .name("rows that fell due since the last sync");
    offline =
        offline
            .filter(row -> encoder.validFrom(row) <= due)
            .name("rows due by the last sync")
            .transform(
                "latest and earliest row per key before the shuffle",
                InternalTypeInfo.of(tableType),
                new LatestRowCombiner(tableType, encoder, true))
            .union(window);
    KeyFilter sampled =
        threshold == Long.MAX_VALUE ? KeyFilter.ALL : k -> Sampling.hash(k) < threshold;
    DataStream<String[]> online =
        env.fromSource(
            stores.scan(group.name(), features, sampled),
            WatermarkStrategy.noWatermarks(),
            "online store scan " + group.name() + " (" + stores + ")",
            BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO);

    KeySelector<RowData, String> offlineKey =
        new KeySelector<>() {
          @Override
          public String getKey(RowData row) {
            return encoder.key(row);
          }
        };
    KeySelector<String[], String> onlineKey =
        new KeySelector<>() {
          @Override
          public String getKey(String[] hash) {
            return hash[0];
          }
        };
    DataStream<byte[]> report =
        offline
            .keyBy(offlineKey)
            .connect(online.keyBy(onlineKey))
            .process(
                new ParityCompare(tableType, encoder, features, nowMs, due),
                TypeInformation.of(KeyCheck.class))
            .name("compare online with the offline row valid at its valid_from")
            .transform(
                "parity summary",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                new ParitySummaryOperator(
                    group.name(), snapshot, sampleSize, features, examples, maxMismatchRate, t0))
            .setParallelism(1);
    try (CloseableIterator<byte[]> it = report.collectAsync()) {
      JobClient client =
          env.executeAsync(
              "janus parity "
                  + group.name()
                  + " vs snapshot "
                  + snapshot
                  + (sampleSize == null ? " (every key)" : " (sample of " + sampleSize + ")"));
      ParityReport r =
          InstantiationUtil.deserializeObject(it.next(), ParityReport.class.getClassLoader());
      client.getJobExecutionResult().get();
      return new ParityReport(
          r.group(),
          r.snapshotId(),
          r.sampleSize(),
          r.counts(),
          r.features(),
          r.worst(),
          r.maxMismatchRate(),
          System.currentTimeMillis() - t0);
    }
  }

  private long resolveSnapshot(Table table) {
    if (snapshotId != null) {
      if (table.snapshot(snapshotId) == null)
        throw new NoSuchElementException(
            "no snapshot " + snapshotId + " in " + FeatureTables.id(group));
      return snapshotId;
    }
    Snapshot current = table.currentSnapshot();
    if (current == null)
      throw new NoSuchElementException(
          "feature table " + FeatureTables.id(group) + " has nothing published yet");
    return current.snapshotId();
  }

  /** The number of the group's keys online (no values read), to size the sampling fraction. */
  /** Up to when the target was synced ({@code Long.MAX_VALUE} when never, or by older syncs). */
  private long syncedUpTo(String table) {
    try (OnlineStore store = stores.open()) {
      SyncMarker marker =
          SyncMarker.fromFields(store.multiGet(List.of(SyncMarker.storeKey(table))).get(0));
      return marker == null ? Long.MAX_VALUE : marker.asOfMs();
    }
  }

  private long countOnlineKeys() {
    try (OnlineStore store = stores.open()) {
      return store.countKeys(group.name());
    }
  }
}
