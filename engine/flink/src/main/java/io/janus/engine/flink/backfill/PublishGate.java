package io.janus.engine.flink.backfill;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;

/**
 * A last check of a backfill's audit branch after its audit passed and before main moves (DESIGN
 * §5, step 5): a refusal is handled like a failed audit — main untouched, the branch kept, exit
 * code 1.
 */
@FunctionalInterface
public interface PublishGate {
  /** No gate: every audited branch may be published. */
  PublishGate NONE = (table, branchSnapshot, env) -> new Verdict(true, null);

  /**
   * Checks the branch.
   *
   * @param table the feature table
   * @param branchSnapshot the audited snapshot of the branch
   * @param env an environment the check may run its own jobs on
   * @return whether to publish, and why
   * @throws Exception when the check itself could not run (the backfill then fails)
   */
  Verdict check(Table table, long branchSnapshot, StreamExecutionEnvironment env) throws Exception;

  /**
   * A gate's decision.
   *
   * @param passed whether the branch may be published
   * @param message what the gate found, for the backfill's message (null: nothing to say)
   */
  record Verdict(boolean passed, String message) {}
}
