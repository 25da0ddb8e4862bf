package io.janus.engine.iceberg.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * Writes one snapshot of a table to a local file, format by extension: {@code .jsonl} (one JSON
 * object per row, columns in table order, times as ISO-8601 UTC), {@code .csv} (a header, then the
 * rows; empty for null) or {@code .parquet} (the table's own schema).
 */
public final class TableExport {
  private TableExport() {}

  /**
   * Exports {@code snapshotId} of {@code table} to {@code file}.
   *
   * @return rows written
   */
  public static long write(Table table, long snapshotId, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (file.toAbsolutePath().getParent() != null)
        Files.createDirectories(file.toAbsolutePath().getParent());
      if (name.endsWith(".jsonl") || name.endsWith(".json"))
        return jsonLines(table, snapshotId, file);
      if (name.endsWith(".csv")) return csv(table, snapshotId, file);
      if (name.endsWith(".parquet")) return parquet(table, snapshotId, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    throw new IllegalArgumentException(
        "--export " + file + ": unknown format (expected .jsonl, .csv or .parquet)");
  }

  private static CloseableIterable<Record> rows(Table table, long snapshotId) {
    return IcebergGenerics.read(table).useSnapshot(snapshotId).build();
  }

  private static List<String> columns(Table table) {
    return table.schema().columns().stream().map(Types.NestedField::name).toList();
  }

  private static Object plain(Object v) {
    if (v instanceof OffsetDateTime t) return t.toInstant().toString();
    if (v instanceof Temporal t) return t.toString();
    return v;
  }

  private static long jsonLines(Table table, long snapshotId, Path file) throws IOException {
    List<String> cols = columns(table);
    long n = 0;
    ObjectMapper json = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    try (OutputStream out = Files.newOutputStream(file);
        CloseableIterable<Record> it = rows(table, snapshotId)) {
      for (Record r : it) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String c : cols) m.put(c, plain(r.getField(c)));
        json.writeValue(out, m);
        out.write('\n');
        n++;
      }
    }
    return n;
  }

  private static long csv(Table table, long snapshotId, Path file) throws IOException {
    List<String> cols = columns(table);
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    cols.forEach(schema::addColumn);
    long n = 0;
    try (SequenceWriter w = new CsvMapper().writer(schema.build()).writeValues(file.toFile());
        CloseableIterable<Record> it = rows(table, snapshotId)) {
      for (Record r : it) {
        List<Object> values = new ArrayList<>(cols.size());
        for (String c : cols) values.add(plain(r.getField(c)));
        w.write(values);
        n++;
      }
    }
    return n;
  }

  private static long parquet(Table table, long snapshotId, Path file) throws IOException {
    Files.deleteIfExists(file);
    long n = 0;
    try (FileAppender<Record> out =
            Parquet.write(org.apache.iceberg.Files.localOutput(file.toFile()))
                .schema(table.schema())
                .createWriterFunc(GenericParquetWriter::create)
                .build();
        CloseableIterable<Record> it = rows(table, snapshotId)) {
      for (Record r : it) {
        out.add(r);
        n++;
      }
    }
    return n;
  }
}
