package io.janus.engine.flink.served;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.training.PointInTimeJoin;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.served.ServedFeatures;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.InstantiationUtil;
import org.apache.iceberg.types.Types;

/**
 * Served-vs-training consistency: the served-feature log ({@code janus.served_features}) of a group
 * joined point-in-time against its offline table — with the same operator that builds training sets
 * — so each served value meets the row a training set would have read at the moment it was served.
 * Reports per outcome and per feature how often the numbers differed, as a Flink BATCH job.
 */
public final class ConsistencyCheck {
  private final Warehouse warehouse;
  private final FeatureGroup group;
  private final Instant since;
  private final Long snapshotId;
  private final double maxMismatchRate;
  private final int examples;

  private ConsistencyCheck(
      Warehouse warehouse,
      FeatureGroup group,
      Instant since,
      Long snapshotId,
      double maxMismatchRate,
      int examples) {
    this.warehouse = warehouse;
    this.group = group;
    this.since = since;
    this.snapshotId = snapshotId;
    this.maxMismatchRate = maxMismatchRate;
    this.examples = examples;
  }

  /**
   * The check of everything {@code group} served, against main's current snapshot, allowing no
   * mismatch, listing 10 examples.
   */
  public static ConsistencyCheck of(Warehouse warehouse, FeatureGroup group) {
    return new ConsistencyCheck(warehouse, group, null, null, 0, 10);
  }

  /** Only values served at or after {@code t}. */
  public ConsistencyCheck withSince(Instant t) {
    return new ConsistencyCheck(warehouse, group, t, snapshotId, maxMismatchRate, examples);
  }

  /** Against the offline table as of {@code id}. */
  public ConsistencyCheck withSnapshot(long id) {
    return new ConsistencyCheck(warehouse, group, since, id, maxMismatchRate, examples);
  }

  /** The largest share of served values that may mismatch for the check to pass. */
  public ConsistencyCheck withMaxMismatchRate(double rate) {
    if (!(rate >= 0 && rate <= 1))
      throw new IllegalArgumentException("max mismatch rate must be within 0..1: " + rate);
    return new ConsistencyCheck(warehouse, group, since, snapshotId, rate, examples);
  }

  /** How many of the worst served values the report lists. */
  public ConsistencyCheck withExamples(int n) {
    if (n < 0) throw new IllegalArgumentException("examples must not be negative: " + n);
    return new ConsistencyCheck(warehouse, group, since, snapshotId, maxMismatchRate, n);
  }

  /** Runs the check on {@code env} (switched to BATCH). */
  public ConsistencyReport run(StreamExecutionEnvironment env) throws Exception {
    long t0 = System.currentTimeMillis();
    if (!warehouse.exists(ServedFeatures.ID)) {
      throw new NoSuchElementException(
          "no served-feature log yet ("
              + ServedFeatures.ID
              + "): serve with janus serve --log-sample RATE first");
    }
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    PointInTimeJoin join =
        PointInTimeJoin.of(warehouse, new ServedSpine(warehouse, group, since), List.of(group))
            .withValidFrom();
    if (snapshotId != null) join = join.withSnapshot(group.name(), snapshotId);
    PointInTimeJoin.Plan plan = join.plan();
    long snapshot = plan.inputs().get(0).snapshotId();
    List<String> columns = plan.schema().columns().stream().map(Types.NestedField::name).toList();
    List<String> features = group.schema().featureNames();
    DataStream<byte[]> report =
        plan.rows(env)
            .map(
                new JudgeServed(
                    group,
                    plan.schema(),
                    columns,
                    plan.inputs().get(0).columns(),
                    features,
                    PointInTimeJoin.validFromColumn(group.name())),
                TypeInformation.of(ServedCheck.class))
            .name("served value vs the offline row valid then")
            .transform(
                "consistency summary",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                new ConsistencySummaryOperator(
                    group.name(),
                    snapshot,
                    since == null ? null : since.toString(),
                    features,
                    examples,
                    maxMismatchRate,
                    t0))
            .setParallelism(1);
    try (CloseableIterator<byte[]> it = report.collectAsync()) {
      JobClient client =
          env.executeAsync("janus consistency " + group.name() + " served vs snapshot " + snapshot);
      ConsistencyReport r =
          InstantiationUtil.deserializeObject(it.next(), ConsistencyReport.class.getClassLoader());
      client.getJobExecutionResult().get();
      return r;
    }
  }
}
