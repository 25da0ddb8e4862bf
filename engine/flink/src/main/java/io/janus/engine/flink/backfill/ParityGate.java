package io.janus.engine.flink.backfill;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.parity.ParityCheck;
import io.janus.engine.flink.parity.ParityReport;
import io.janus.engine.flink.served.ConsistencyCheck;
import io.janus.engine.flink.served.ConsistencyReport;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.served.ServedFeatures;
import io.janus.engine.online.OnlineStoreFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;

/**
 * The parity gate ({@code janus backfill --parity-gate RATE}): before publishing, the audit branch
 * is compared with what the stream put online — every online key against the branch's row valid at
 * its valid_from, as {@code janus parity} does — and, where the served-feature log exists, with
 * what the feature server served. Above {@code RATE} mismatches on either, the branch is not
 * published: a definition or code change that would make training differ from serving is caught
 * before any model trains on it.
 */
public final class ParityGate implements PublishGate {
  private final Warehouse warehouse;
  private final FeatureGroup group;
  private final OnlineStoreFactory stores;
  private final double maxMismatchRate;

  private ParityGate(
      Warehouse warehouse, FeatureGroup group, OnlineStoreFactory stores, double maxMismatchRate) {
    this.warehouse = warehouse;
    this.group = group;
    this.stores = stores;
    this.maxMismatchRate = maxMismatchRate;
  }

  /**
   * The gate of {@code group}'s backfills against the online store of {@code stores}.
   *
   * @param maxMismatchRate the largest share of keys (and of served values) that may disagree
   */
  public static ParityGate of(
      Warehouse warehouse, FeatureGroup group, OnlineStoreFactory stores, double maxMismatchRate) {
    if (!(maxMismatchRate >= 0 && maxMismatchRate <= 1))
      throw new IllegalArgumentException(
          "parity gate rate must be within 0..1: " + maxMismatchRate);
    return new ParityGate(warehouse, group, stores, maxMismatchRate);
  }

  @Override
  public Verdict check(Table table, long branchSnapshot, StreamExecutionEnvironment env)
      throws Exception {
    ParityReport parity =
        ParityCheck.of(warehouse, group, stores)
            .withSnapshot(branchSnapshot)
            .withMaxMismatchRate(maxMismatchRate)
            .withExamples(3)
            .run(env);
    String message =
        String.format(
            "parity gate: %,d online keys vs the branch, mismatch rate %.4f%% (max %.4f%%)",
            parity.checked(), 100 * parity.mismatchRate(), 100 * maxMismatchRate);
    boolean passed = parity.passed();
    if (warehouse.exists(ServedFeatures.ID)) {
      ConsistencyReport served =
          ConsistencyCheck.of(warehouse, group)
              .withSnapshot(branchSnapshot)
              .withMaxMismatchRate(maxMismatchRate)
              .withExamples(3)
              .run(env);
      message +=
          String.format(
              "; %,d served values vs the branch, mismatch rate %.4f%%",
              served.served(), 100 * served.mismatchRate());
      passed &= served.passed();
    }
    return new Verdict(passed, (passed ? "" : "refused by the ") + message);
  }
}
