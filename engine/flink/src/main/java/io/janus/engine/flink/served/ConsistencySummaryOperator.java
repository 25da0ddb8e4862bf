package io.janus.engine.flink.served;

import io.janus.monitoring.MetricNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.InstantiationUtil;

/**
 * Adds up every judged served value (parallelism 1), keeps the worst examples (mismatches, then
 * missing values, then the stale ones that differ, then the rest), and emits the report,
 * Java-serialized, when the input ends. The counts are also Flink metrics under {@code
 * janus.consistency_*}.
 */
final class ConsistencySummaryOperator extends AbstractStreamOperator<byte[]>
    implements OneInputStreamOperator<ServedCheck, byte[]>, BoundedOneInput {
  private final String group;
  private final long snapshotId;
  private final String since;
  private final List<String> features;
  private final int examples;
  private final double maxMismatchRate;
  private final long startedMs;
  private transient EnumMap<ServedCheck.Status, Long> counts;
  private transient long[] compared;
  private transient long[] different;
  private transient long served;
  private transient long differentValues;
  private transient long predictions;
  private transient long predictionsDifferent;
  private transient long staleLagMax;
  private transient PriorityQueue<ServedCheck> worst;

  ConsistencySummaryOperator(
      String group,
      long snapshotId,
      String since,
      List<String> features,
      int examples,
      double maxMismatchRate,
      long startedMs) {
    this.group = group;
    this.snapshotId = snapshotId;
    this.since = since;
    this.features = features;
    this.examples = examples;
    this.maxMismatchRate = maxMismatchRate;
    this.startedMs = startedMs;
  }

  /** Lower is worse. */
  private static int rank(ServedCheck c) {
    return switch (c.status) {
      case MISMATCHED -> 0;
      case MISSING_ONLINE, MISSING_OFFLINE -> 1;
      default -> c.different() ? 2 : 3;
    };
  }

  @Override
  public void open() throws Exception {
    super.open();
    counts = new EnumMap<>(ServedCheck.Status.class);
    compared = new long[features.size()];
    different = new long[features.size()];
    // The best of the kept examples on top, so it is the one dropped.
    worst =
        new PriorityQueue<>(
            Comparator.comparingInt(ConsistencySummaryOperator::rank)
                .thenComparing(c -> c.requestId + c.entity)
                .reversed());
  }

  @Override
  public void processElement(StreamRecord<ServedCheck> element) {
    ServedCheck c = element.getValue();
    served++;
    counts.merge(c.status, 1L, Long::sum);
    if (c.different()) differentValues++;
    if (c.modelVersion != null) {
      predictions++;
      if (c.different()) predictionsDifferent++;
    }
    if (c.status == ServedCheck.Status.STALE)
      staleLagMax = Math.max(staleLagMax, c.servedAtMs - c.offlineValidFromMs);
    if (c.servedValidFromMs >= 0 && c.offlineValidFromMs >= 0) {
      for (int i = 0; i < features.size(); i++) compared[i]++;
      for (String f : c.features) different[features.indexOf(f)]++;
    }
    if (c.status != ServedCheck.Status.MATCHED && examples > 0) {
      worst.add(c);
      if (worst.size() > examples) worst.poll();
    }
  }

  @Override
  public void endInput() throws Exception {
    MetricGroup metrics = getMetricGroup().addGroup(MetricNames.GROUP);
    for (ServedCheck.Status s : ServedCheck.Status.values()) {
      metrics
          .counter(MetricNames.CONSISTENCY_PREFIX + s.label() + MetricNames.TOTAL)
          .inc(counts.getOrDefault(s, 0L));
    }
    Map<String, ConsistencyReport.FeatureTally> perFeature = new LinkedHashMap<>();
    for (int i = 0; i < features.size(); i++)
      perFeature.put(
          features.get(i), new ConsistencyReport.FeatureTally(compared[i], different[i]));
    List<ServedCheck> sorted = new ArrayList<>(worst);
    sorted.sort(
        Comparator.comparingInt(ConsistencySummaryOperator::rank)
            .thenComparing(c -> c.requestId + c.entity));
    List<ConsistencyReport.Example> ex = new ArrayList<>();
    for (ServedCheck c : sorted) {
      Map<String, List<String>> diff = new LinkedHashMap<>();
      for (int i = 0; i < c.features.length; i++)
        diff.put(c.features[i], java.util.Arrays.asList(c.served[i], c.offline[i]));
      ex.add(
          new ConsistencyReport.Example(
              c.status,
              c.requestId,
              c.entity,
              Instant.ofEpochMilli(c.servedAtMs).toString(),
              c.servedValidFromMs < 0 ? null : Instant.ofEpochMilli(c.servedValidFromMs).toString(),
              c.offlineValidFromMs < 0
                  ? null
                  : Instant.ofEpochMilli(c.offlineValidFromMs).toString(),
              diff));
    }
    Map<ServedCheck.Status, Long> all = new LinkedHashMap<>();
    for (ServedCheck.Status s : ServedCheck.Status.values()) all.put(s, counts.getOrDefault(s, 0L));
    ConsistencyReport report =
        new ConsistencyReport(
            group,
            snapshotId,
            since,
            served,
            all,
            differentValues,
            predictions,
            predictionsDifferent,
            perFeature,
            staleLagMax,
            maxMismatchRate,
            ex,
            System.currentTimeMillis() - startedMs);
    output.collect(new StreamRecord<>(InstantiationUtil.serializeObject(report)));
  }
}
