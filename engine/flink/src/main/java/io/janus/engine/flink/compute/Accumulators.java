package io.janus.engine.flink.compute;

import org.apache.flink.api.common.JobExecutionResult;

/** Reads the long counters jobs keep in Flink accumulators. */
public final class Accumulators {
  private Accumulators() {}

  /**
   * The counter's final value, 0 when the job never touched it or was submitted detached (its
   * client never learns the figures).
   */
  public static long count(JobExecutionResult result, String name) {
    if (!result.isJobExecutionResult()) return 0;
    Long v = result.getAccumulatorResult(name);
    return v == null ? 0 : v;
  }
}
