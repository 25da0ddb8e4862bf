package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.EventParser;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.jobs.Failures.CliException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus read}: offline rows of a group, optionally of one key, optionally as of the past.
 */
@Command(
    name = "read",
    description = "Print offline feature rows (main, or as of a snapshot or a time).")
public final class ReadCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--group", required = true, description = "Feature group.")
  String group;

  @Option(
      names = "--key",
      description = "Entity key (for several keys: k1,k2 or name=value,name=value).")
  String key;

  @ArgGroup(exclusive = true)
  AsOf asOf;

  static final class AsOf {
    @Option(names = "--as-of-snapshot", paramLabel = "ID", description = "Read this snapshot.")
    Long snapshot;

    @Option(
        names = "--as-of-time",
        paramLabel = "TS",
        description = "Read main as it was at this time (ISO-8601 or epoch ms).")
    String time;
  }

  @Option(names = "--limit", defaultValue = "0", description = "Print at most N rows (0 = all).")
  int limit;

  @Option(names = "--json", description = "One JSON object per row.")
  boolean json;

  @Override
  public Integer call() {
    FeatureGroup g = common.group(group);
    OfflineReader reader = new OfflineReader(common.warehouse(), g);
    Long snapshot = null;
    if (asOf != null && asOf.snapshot != null) snapshot = asOf.snapshot;
    if (asOf != null && asOf.time != null) snapshot = reader.snapshotAsOf(parseTime(asOf.time));
    List<Map<String, Object>> rows = reader.rows(key, snapshot);
    if (limit > 0 && rows.size() > limit) rows = rows.subList(0, limit);
    if (json) {
      for (Map<String, Object> r : rows) System.out.println(Json.line(r));
      return 0;
    }
    if (rows.isEmpty()) {
      System.out.println("(no rows)");
      return 0;
    }
    List<String> cols = new ArrayList<>(rows.get(0).keySet());
    int[] width = cols.stream().mapToInt(String::length).toArray();
    for (Map<String, Object> r : rows) {
      for (int i = 0; i < cols.size(); i++)
        width[i] = Math.max(width[i], format(r.get(cols.get(i))).length());
    }
    StringBuilder header = new StringBuilder();
    for (int i = 0; i < cols.size(); i++)
      header.append(String.format("%-" + width[i] + "s  ", cols.get(i)));
    System.out.println(header.toString().stripTrailing());
    for (Map<String, Object> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols.size(); i++)
        line.append(String.format("%-" + width[i] + "s  ", format(r.get(cols.get(i)))));
      System.out.println(line.toString().stripTrailing());
    }
    System.out.printf(
        "(%,d rows%s)%n",
        rows.size(),
        reader.currentSnapshot() == null
            ? ""
            : ", snapshot " + (snapshot == null ? reader.currentSnapshot() : snapshot));
    return 0;
  }

  static long parseTime(String text) {
    if (text.matches("\\d+")) return Long.parseLong(text);
    Long ms = EventParser.parseTime(text);
    if (ms == null) {
      try {
        ms =
            java.time.LocalDate.parse(text)
                .atStartOfDay(java.time.ZoneOffset.UTC)
                .toInstant()
                .toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        throw new CliException(
            "--as-of-time '" + text + "' is not an ISO-8601 time or epoch milliseconds");
      }
    }
    return ms;
  }

  private static String format(Object v) {
    if (v == null) return "null";
    if (v instanceof Double d) return String.format("%.6g", d);
    return v.toString();
  }
}
