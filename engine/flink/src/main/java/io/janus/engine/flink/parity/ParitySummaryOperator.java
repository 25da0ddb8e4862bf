package io.janus.engine.flink.parity;

import io.janus.monitoring.MetricNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.InstantiationUtil;

/**
 * Adds up every key check (parallelism 1) and emits the report, Java-serialized, when the input
 * ends. With a sample size, only the {@code sampleSize} non-expired keys of smallest hash count:
 * the sources over-sample by hash, this trims to exactly the sample (expired keys are counted
 * within the hash range the sample covers). The counts are exported as Flink metrics under {@code
 * janus.parity_*}.
 */
final class ParitySummaryOperator extends AbstractStreamOperator<byte[]>
    implements OneInputStreamOperator<KeyCheck, byte[]>, BoundedOneInput {
  private final String group;
  private final long snapshotId;
  private final Integer sampleSize;
  private final List<String> features;
  private final int examples;
  private final double maxMismatchRate;
  private final long startedMs;
  private transient ParityTally tally;

  /** With a sample size: the smallest hashes so far, largest on top. */
  private transient PriorityQueue<KeyCheck> sample;

  /** With a sample size: hashes of the expired keys seen (they are never part of the sample). */
  private transient long[] expiredHashes;

  private transient int expired;

  ParitySummaryOperator(
      String group,
      long snapshotId,
      Integer sampleSize,
      List<String> features,
      int examples,
      double maxMismatchRate,
      long startedMs) {
    this.group = group;
    this.snapshotId = snapshotId;
    this.sampleSize = sampleSize;
    this.features = features;
    this.examples = examples;
    this.maxMismatchRate = maxMismatchRate;
    this.startedMs = startedMs;
  }

  @Override
  public void open() throws Exception {
    super.open();
    tally = new ParityTally(features, examples);
    if (sampleSize != null)
      sample =
          new PriorityQueue<>(
              Comparator.<KeyCheck>comparingLong(c -> c.hash).thenComparing(c -> c.key).reversed());
  }

  @Override
  public void processElement(StreamRecord<KeyCheck> element) {
    // Kept beyond this call (sample, worst examples): with object reuse on, Flink refills the input
    // object.
    KeyCheck c = element.getValue().copy();
    if (sample == null) {
      tally.add(c);
    } else if (c.status == KeyCheck.Status.EXPIRED) {
      if (expiredHashes == null) expiredHashes = new long[1024];
      if (expired == expiredHashes.length)
        expiredHashes = java.util.Arrays.copyOf(expiredHashes, expired * 2);
      expiredHashes[expired++] = c.hash;
    } else {
      sample.add(c);
      if (sample.size() > sampleSize) sample.poll();
    }
  }

  @Override
  public void endInput() throws Exception {
    if (sample != null) {
      // Expired keys count within the hash range the sample covers, like the sampled keys do.
      long bound = sample.size() < sampleSize ? Long.MAX_VALUE : sample.peek().hash;
      long inRange = 0;
      for (int i = 0; i < expired; i++) if (expiredHashes[i] <= bound) inRange++;
      for (KeyCheck c : new ArrayList<>(sample)) tally.add(c);
      tally.addExpired(inRange);
    }
    MetricGroup metrics = getMetricGroup().addGroup(MetricNames.GROUP);
    for (KeyCheck.Status s : KeyCheck.Status.values()) {
      metrics
          .counter(MetricNames.PARITY_PREFIX + s.name().toLowerCase() + MetricNames.TOTAL)
          .inc(tally.count(s));
    }
    ParityReport report =
        tally.report(
            group, snapshotId, sampleSize, maxMismatchRate, System.currentTimeMillis() - startedMs);
    output.collect(new StreamRecord<>(InstantiationUtil.serializeObject(report)));
  }
}
