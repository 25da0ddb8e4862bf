package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.history.SnapshotHistory;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.jobs.Failures.CliException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus snapshots}: a group's snapshot history with lineage and audit outcome. */
@Command(
    name = "snapshots",
    description = "Snapshot history of a group's feature table, with lineage and audit outcome.")
public final class SnapshotsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--group", required = true, description = "Feature group.")
  String group;

  @Option(
      names = "--json",
      description = "One JSON object per snapshot (summary properties by their names).")
  boolean json;

  @Override
  public Integer call() {
    FeatureGroup g = common.group(group);
    if (!common.warehouse().exists(FeatureTables.id(g))) {
      throw new CliException(
          "feature table " + FeatureTables.id(g) + " does not exist yet: run a backfill first");
    }
    List<Map<String, Object>> history =
        SnapshotHistory.of(
            common.warehouse(), common.warehouse().load(FeatureTables.id(g)), g.name());
    if (json) {
      history.forEach(h -> System.out.println(Json.line(h)));
      return 0;
    }
    System.out.printf(
        "%-20s %-9s %-5s %-24s %-36s %-12s %-22s %s%n",
        "snapshot", "operation", "main", "committed", "run", "audit", "range", "refs");
    for (Map<String, Object> h : history) {
      @SuppressWarnings("unchecked")
      Map<String, Object> audit = (Map<String, Object>) h.get("audit");
      String outcome =
          audit == null
              ? "-"
              : (Boolean.TRUE.equals(audit.get("passed")) ? "passed" : "FAILED")
                  + (Boolean.TRUE.equals(audit.get("published")) ? "" : ",kept");
      System.out.printf(
          "%-20s %-9s %-5s %-24s %-36s %-12s %-22s %s%n",
          h.get("snapshot_id"),
          h.get("operation"),
          Boolean.TRUE.equals(h.get("on_main")) ? "yes" : "no",
          h.get("committed_at"),
          h.getOrDefault(Lineage.RUN_ID, "-"),
          outcome,
          h.getOrDefault(Lineage.RANGE, "-"),
          h.get("refs"));
    }
    return 0;
  }
}
