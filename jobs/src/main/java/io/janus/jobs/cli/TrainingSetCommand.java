package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.flink.training.TrainingSetResult;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.export.TableExport;
import io.janus.jobs.Failures.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus training-set}: a point-in-time training set from a spine and feature groups. */
@Command(
    name = "training-set",
    description =
        "Join a spine (keys, time, labels) point-in-time with the features of one or more groups"
            + " into the Iceberg table training.<name>.")
public final class TrainingSetCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @ArgGroup(multiplicity = "1")
  SpineOption spineOption;

  /** Where the spine comes from: exactly one of a file or table, and a query. */
  static final class SpineOption {
    @Option(
        names = "--spine",
        paramLabel = "FILE|TABLE",
        description =
            "Spine rows: a .jsonl/.json, .csv (with a header) or .parquet file, or an Iceberg table (ns.name).")
    String spine;

    @Option(
        names = "--spine-sql",
        paramLabel = "QUERY",
        description =
            "Spine rows from a Flink SQL query over the catalog (staged in training.<name>__spine).")
    String sql;
  }

  @Option(
      names = "--groups",
      required = true,
      split = ",",
      description = "Feature groups, comma-separated.")
  List<String> groups;

  @Option(names = "--name", required = true, description = "Training set name.")
  String name;

  @Option(
      names = "--time-column",
      defaultValue = "ts",
      description = "Spine time column: ISO-8601 UTC or epoch ms (default: ${DEFAULT-VALUE}).")
  String timeColumn;

  @Option(
      names = "--key-map",
      paramLabel = "COLUMN=ENTITY",
      description = "A spine column holding an entity key of another name (repeatable).")
  Map<String, String> keyMap = new LinkedHashMap<>();

  @Option(
      names = "--as-of-snapshot",
      paramLabel = "GROUP=SNAPSHOT_ID",
      description = "Read a group's table at this snapshot instead of main's current (repeatable).")
  Map<String, Long> snapshots = new LinkedHashMap<>();

  @Option(
      names = "--export",
      paramLabel = "FILE",
      description = "Also write the rows to FILE (.jsonl, .csv or .parquet).")
  Path export;

  @Option(names = "--replace", description = "Replace a training set of the same name.")
  boolean replace;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<FeatureGroup> gs = new ArrayList<>();
    for (String g : groups) gs.add(common.group(g.trim()));
    Warehouse warehouse = common.warehouse();
    TrainingSet ts =
        TrainingSet.of(warehouse, spine(warehouse), gs, name)
            .withKeyMap(keyMap)
            .withWorkingDir(Path.of(""));
    for (Map.Entry<String, Long> s : snapshots.entrySet())
      ts = ts.withSnapshot(s.getKey(), s.getValue());
    if (replace) ts = ts.replacing();
    TrainingSetResult r = ts.run(common.env());
    if (export != null) {
      TableExport.write(warehouse.load(TrainingSet.id(name)), r.snapshotId(), export);
    }
    if (json) {
      System.out.println(
          Json.line(new Output(r, export == null ? null : export.toAbsolutePath().toString())));
    } else {
      System.out.printf(
          "training set %s: %,d rows in %s (snapshot %d) from %s in %.1f s%n",
          r.name(), r.rows(), r.table(), r.snapshotId(), r.spine(), r.millis() / 1000.0);
      for (TrainingSetResult.Input in : r.groups()) {
        System.out.printf(
            "  %-20s %s @ %d: %s%n",
            in.group(), in.table(), in.snapshotId(), String.join(", ", in.columns()));
      }
      if (export != null) System.out.printf("  exported to %s%n", export.toAbsolutePath());
    }
    return 0;
  }

  private Spine spine(Warehouse warehouse) throws Exception {
    if (spineOption.sql != null) return staged(warehouse, spineOption.sql);
    return spineOf(warehouse, spineOption.spine, timeColumn, TrainingSet.id(name + "__spine"));
  }

  /**
   * The spine {@code --spine} names: a file if there is one (a Parquet file is staged in {@code
   * staging}), else a table of the warehouse.
   */
  static Spine spineOf(
      Warehouse warehouse, String spine, String timeColumn, TableIdentifier staging) {
    Path file = Path.of(spine);
    if (Files.exists(file) && spine.endsWith(".parquet"))
      return Spine.parquet(warehouse, file, staging, timeColumn);
    if (Files.exists(file)) return Spine.file(file, timeColumn);
    String[] parts = spine.split("\\.");
    if (parts.length == 2 && warehouse.exists(TableIdentifier.of(parts[0], parts[1]))) {
      return Spine.table(warehouse, TableIdentifier.of(parts[0], parts[1]), timeColumn);
    }
    throw new CliException(
        "--spine " + spine + " is neither a file nor a table of the warehouse (namespace.name)");
  }

  /**
   * Runs {@code query} into the Iceberg table {@code training.<name>__spine} (replaced if there)
   * and reads the spine from there, so the rows a training set was built from stay inspectable.
   */
  private Spine staged(Warehouse warehouse, String query) throws Exception {
    TableIdentifier id = TrainingSet.id(name + "__spine");
    if (warehouse.exists(id) && !replace) {
      throw new CliException(
          "spine table " + id + " exists (from an earlier run); pass --replace to rebuild it");
    }
    return SqlCommand.stageSpine(common.env(), warehouse, id, query, timeColumn);
  }

  /** What {@code --json} prints: the result and, when asked for, the export file. */
  record Output(
      @com.fasterxml.jackson.annotation.JsonUnwrapped TrainingSetResult result, String export) {}
}
