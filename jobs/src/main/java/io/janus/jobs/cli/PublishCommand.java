package io.janus.jobs.cli;

import io.janus.engine.flink.backfill.Backfill;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus publish}: publish a branch a {@code --no-publish} backfill kept, once inspected. */
@Command(
    name = "publish",
    description =
        "Publish the audit branch of an earlier --no-publish backfill whose audit passed.")
public final class PublishCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--group", required = true, description = "Feature group.")
  String group;

  @Option(names = "--run-id", required = true, description = "Run id of the backfill.")
  String runId;

  @Override
  public Integer call() {
    String mode = Backfill.publishKept(common.warehouse(), common.group(group), runId);
    System.out.println("published audit_" + runId + " to main by " + mode);
    return 0;
  }
}
