package io.janus.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.iceberg.Warehouse;
import io.janus.jobs.Failures.CliException;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.janus.jobs.maintain.MaintenanceLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.types.Types;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench maintain}: a table of many small files (as a streaming writer's frequent
 * checkpoints leave), compacted by {@code janus maintain compact} in its Spark JVM; prints files
 * and bytes before and after, the compaction's wall time, and a full read before and after.
 */
@Command(
    name = "maintain",
    description =
        "Compaction of a table of many small files: files/bytes before and after, wall time, full-read speed-up.")
public final class MaintenanceBench implements Callable<Integer> {
  private static final TableIdentifier ID = TableIdentifier.of("bench", "small_files");
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "user_id", Types.StringType.get()),
          Types.NestedField.required(2, "event_ts", Types.TimestampType.withZone()),
          Types.NestedField.required(3, "event_type", Types.StringType.get()),
          Types.NestedField.optional(4, "price", Types.DoubleType.get()),
          Types.NestedField.required(5, "ds", Types.DateType.get()));
  private static final String[] TYPES = {"page_view", "click", "add_to_cart", "purchase"};

  @Mixin CommonOptions common;

  @Option(
      names = "--files",
      defaultValue = "1000",
      description = "Small files to write (default: ${DEFAULT-VALUE}).")
  int files;

  @Option(
      names = "--rows-per-file",
      defaultValue = "500",
      description = "Rows in each (default: ${DEFAULT-VALUE}).")
  int rowsPerFile;

  @Option(
      names = "--days",
      defaultValue = "10",
      description = "Day partitions the files spread over (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--commits",
      defaultValue = "100",
      description = "Append commits the files arrive in (default: ${DEFAULT-VALUE}).")
  int commits;

  @Option(
      names = "--heap",
      defaultValue = "1g",
      description = "Heap of the maintenance JVM (default: ${DEFAULT-VALUE}).")
  String heap;

  @Option(names = "--json", description = "Print the figures as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path dir =
        Files.createDirectories(common.config().workdir().resolve("bench"))
            .resolve("maintain-" + System.currentTimeMillis());
    Path warehouseDir = dir.resolve("warehouse");
    Warehouse warehouse = Warehouse.local(warehouseDir);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("files", files);
    m.put("rows_per_file", rowsPerFile);
    m.put("days", days);
    m.put("commits", commits);

    long t0 = System.nanoTime();
    Table table = writeSmallFiles(warehouse);
    m.put("write_seconds", seconds(t0));
    Read before = fullRead(table);

    List<String> args = new ArrayList<>(List.of("compact", "--table=" + ID, "--json"));
    Warehouse.localProperties(warehouseDir).forEach((k, v) -> args.add("--catalog=" + k + "=" + v));
    StringBuilder out = new StringBuilder();
    long c0 = System.nanoTime();
    int code =
        MaintenanceLauncher.locate(System.getenv())
            .run(heap, dir.resolve("tmp"), args, line -> out.append(line).append('\n'));
    double compactWall = seconds(c0);
    if (code != 0) throw new CliException("the maintenance JVM failed (exit " + code + ")");
    String report =
        out.toString()
            .lines()
            .filter(l -> l.startsWith("{"))
            .findFirst()
            .orElseThrow(() -> new CliException("no report from the maintenance JVM: " + out));
    JsonNode compact = new ObjectMapper().readTree(report).get("tables").get(0).get("compact");
    table.refresh();
    Read after = fullRead(table);
    if (after.rows != before.rows || after.checksum != before.checksum) {
      throw new CliException(
          "compaction changed the rows: " + before.rows + " before, " + after.rows + " after");
    }
    m.put("files_before", compact.get("files_before").asLong());
    m.put("files_after", compact.get("files_after").asLong());
    m.put("bytes_before", compact.get("bytes_before").asLong());
    m.put("bytes_after", compact.get("bytes_after").asLong());
    m.put("compact_action_seconds", compact.get("millis").asLong() / 1000.0);
    m.put("compact_wall_seconds", compactWall);
    m.put("rows", before.rows);
    m.put("read_before_seconds", before.seconds);
    m.put("read_after_seconds", after.seconds);
    m.put("read_speedup", before.seconds / after.seconds);
    if (json) {
      System.out.println(Json.line(m));
    } else {
      System.out.printf(
          "table: %d files of %d rows over %d days in %d commits (written in %.1f s)%n",
          files, rowsPerFile, days, commits, m.get("write_seconds"));
      System.out.printf(
          "compaction: files %d -> %d, bytes %,d -> %,d; %.1f s in the action, %.1f s wall with the Spark JVM's start%n",
          m.get("files_before"),
          m.get("files_after"),
          m.get("bytes_before"),
          m.get("bytes_after"),
          m.get("compact_action_seconds"),
          compactWall);
      System.out.printf(
          "full read of %,d rows (best of 3, Iceberg generic reader): %.3f s before, %.3f s after: %.1fx faster%n",
          before.rows, before.seconds, after.seconds, before.seconds / after.seconds);
    }
    return 0;
  }

  private Table writeSmallFiles(Warehouse warehouse) throws IOException {
    if (files < 1 || rowsPerFile < 1 || days < 1 || commits < 1)
      throw new CliException("--files, --rows-per-file, --days and --commits must be positive");
    PartitionSpec spec = PartitionSpec.builderFor(SCHEMA).identity("ds").build();
    Table table =
        warehouse
            .catalog()
            .buildTable(ID, SCHEMA)
            .withPartitionSpec(spec)
            .withProperties(Warehouse.TABLE_PROPERTIES)
            .create();
    GenericAppenderFactory writers = new GenericAppenderFactory(SCHEMA, spec);
    LocalDate first = LocalDate.of(2024, 1, 1);
    int perCommit = (files + commits - 1) / commits;
    List<DataFile> pending = new ArrayList<>();
    long row = 0;
    for (int f = 0; f < files; f++) {
      LocalDate day = first.plusDays(f % days);
      PartitionKey key = new PartitionKey(spec, SCHEMA);
      key.set(
          0,
          (int) day.toEpochDay()); // partition values in Iceberg's internal form: days since epoch
      String path = table.locationProvider().newDataLocation(spec, key, "small-" + f + ".parquet");
      DataWriter<Record> w =
          writers.newDataWriter(
              EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(path)),
              FileFormat.PARQUET,
              key);
      try (w) {
        for (int r = 0; r < rowsPerFile; r++, row++) {
          GenericRecord rec = GenericRecord.create(SCHEMA);
          rec.setField("user_id", "u" + (row * 7919 % 100_000));
          rec.setField(
              "event_ts",
              OffsetDateTime.of(day.atStartOfDay(), ZoneOffset.UTC).plusSeconds(row % 86_400));
          rec.setField("event_type", TYPES[(int) (row % TYPES.length)]);
          rec.setField("price", row % 4 == 3 ? (row % 1000) / 10.0 : null);
          rec.setField("ds", day);
          w.write(rec);
        }
      }
      pending.add(w.toDataFile());
      if (pending.size() == perCommit || f == files - 1) {
        AppendFiles append = table.newAppend();
        pending.forEach(append::appendFile);
        append.commit();
        pending.clear();
      }
    }
    return table;
  }

  private record Read(long rows, long checksum, double seconds) {}

  /** Best of three full reads (planning included) with Iceberg's generic reader. */
  private static Read fullRead(Table table) throws IOException {
    Read best = null;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      long rows = 0;
      long sum = 0;
      try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
        for (Record r : it) {
          rows++;
          sum += r.getField("user_id").hashCode() * 31L + r.getField("event_ts").hashCode();
        }
      }
      Read read = new Read(rows, sum, seconds(t0));
      if (best == null || read.seconds < best.seconds) best = read;
    }
    return best;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
