package io.janus.engine.flink.compute;

import io.janus.monitoring.MetricNames;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;

/**
 * Counts the events a keyed compute function ignored because their event id was already pending for
 * the key: in the job's accumulator ({@link FeatureProcessFunction#DUPLICATES_PREFIX} and the
 * group's name) and in Flink's metric {@link MetricNames#EVENTS_DUPLICATE}.
 */
final class DuplicateEvents {
  private final LongCounter accumulator;
  private final Counter metric;

  /** Registers both counters of {@code group} with the function's runtime context. */
  DuplicateEvents(RuntimeContext context, String group) {
    accumulator = context.getLongCounter(FeatureProcessFunction.DUPLICATES_PREFIX + group);
    metric =
        context.getMetricGroup().addGroup(MetricNames.GROUP).counter(MetricNames.EVENTS_DUPLICATE);
  }

  /** Counts one ignored event. */
  void count() {
    accumulator.add(1);
    metric.inc();
  }
}
