package io.janus.engine.flink.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** A spine in a JSON-lines or CSV file: one row per line (CSV: after a header line). */
final class SpineFile implements Spine {
  private static final long serialVersionUID = 1L;

  enum Format {
    JSONL,
    CSV
  }

  /** A column's type, learned from its values: the narrowest that holds all of them. */
  enum Kind {
    LONG(Types.LongType.get()),
    DOUBLE(Types.DoubleType.get()),
    BOOLEAN(Types.BooleanType.get()),
    STRING(Types.StringType.get());

    final Type iceberg;

    Kind(Type iceberg) {
      this.iceberg = iceberg;
    }

    Kind with(Kind other) {
      if (other == null || other == this) return this;
      if ((this == LONG && other == DOUBLE) || (this == DOUBLE && other == LONG)) return DOUBLE;
      return STRING;
    }
  }

  private final String path;
  private final Format format;
  private final String[] names;
  private final Kind[] kinds;
  private final int timeIndex;
  private final String timeColumn;
  private final String header;

  private SpineFile(
      String path, Format format, String[] names, Kind[] kinds, String timeColumn, String header) {
    this.path = path;
    this.format = format;
    this.names = names;
    this.kinds = kinds;
    this.timeColumn = timeColumn;
    this.timeIndex = List.of(names).indexOf(timeColumn);
    this.header = header;
  }

  static SpineFile read(Path file, String timeColumn) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("spine file " + file + " does not exist");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    Format format;
    if (name.endsWith(".csv")) format = Format.CSV;
    else if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson"))
      format = Format.JSONL;
    else
      throw new IllegalArgumentException(
          "spine file " + file + ": unknown format (expected .jsonl, .json, .csv or .parquet)");
    try {
      return format == Format.CSV ? readCsv(file, timeColumn) : readJsonLines(file, timeColumn);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read spine file " + file, e);
    }
  }

  private static SpineFile readJsonLines(Path file, String timeColumn) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, Kind> kinds = new LinkedHashMap<>();
    long rows = 0;
    int line = 0;
    long firstMissing = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String text; (text = in.readLine()) != null; ) {
        line++;
        if (text.isBlank()) continue;
        JsonNode row;
        try {
          row = json.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalArgumentException(
              file + ":" + line + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (!row.isObject())
          throw new IllegalArgumentException(file + ":" + line + ": not a JSON object");
        Iterator<Map.Entry<String, JsonNode>> fields = row.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> f = fields.next();
          Kind k = kindOf(f.getValue());
          Kind seen = kinds.get(f.getKey());
          if (!kinds.containsKey(f.getKey())) kinds.put(f.getKey(), k);
          else if (k != null) kinds.put(f.getKey(), seen == null ? k : seen.with(k));
        }
        Object time = value(row.get(timeColumn));
        if (time == null) {
          if (firstMissing == 0) firstMissing = line;
        } else {
          checkTime(file, line, timeColumn, time);
        }
        rows++;
      }
    }
    return of(file, Format.JSONL, kinds, timeColumn, null, rows, firstMissing);
  }

  private static SpineFile readCsv(Path file, String timeColumn) throws IOException {
    String header;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      header = in.readLine();
    }
    if (header == null || header.isBlank())
      throw new IllegalArgumentException(file + ": empty CSV file (expected a header line)");
    Map<String, Kind> kinds = new LinkedHashMap<>();
    List<String> cols = new ArrayList<>();
    long rows = 0;
    long firstMissing = 0;
    try (MappingIterator<String[]> it = csvReader().readValues(file.toFile())) {
      for (String n : it.next()) {
        cols.add(n.trim());
        kinds.put(n.trim(), null);
      }
      int t = cols.indexOf(timeColumn);
      int record = 1;
      while (it.hasNext()) {
        String[] values = it.next();
        record++;
        if (values.length == 1 && values[0].isEmpty()) continue;
        for (int i = 0; i < Math.min(values.length, cols.size()); i++) {
          Kind k = csvKind(values[i]);
          if (k != null) kinds.merge(cols.get(i), k, Kind::with);
        }
        String time = t < 0 || t >= values.length ? null : csvValue(values[t]);
        if (time == null) {
          if (firstMissing == 0) firstMissing = record;
        } else {
          checkTime(file, record, timeColumn, time);
        }
        rows++;
      }
    }
    return of(file, Format.CSV, kinds, timeColumn, header, rows, firstMissing);
  }

  private static SpineFile of(
      Path file,
      Format format,
      Map<String, Kind> kinds,
      String timeColumn,
      String header,
      long rows,
      long firstMissingTime) {
    if (!kinds.containsKey(timeColumn)) {
      throw new IllegalArgumentException(
          "spine "
              + file
              + " has no time column '"
              + timeColumn
              + "' (columns: "
              + String.join(", ", kinds.keySet())
              + "); name it with --time-column");
    }
    if (firstMissingTime > 0) {
      throw new IllegalArgumentException(
          file + ":" + firstMissingTime + ": time column '" + timeColumn + "' is missing or null");
    }
    String[] names = kinds.keySet().toArray(String[]::new);
    Kind[] k = new Kind[names.length];
    for (int i = 0; i < names.length; i++) {
      Kind kind = kinds.get(names[i]);
      k[i] = kind == null ? Kind.STRING : kind; // a column that is always null
    }
    return new SpineFile(file.toAbsolutePath().toString(), format, names, k, timeColumn, header);
  }

  private static void checkTime(Path file, long line, String column, Object value) {
    try {
      SpineTime.millis(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          file + ":" + line + ": time column '" + column + "' " + e.getMessage());
    }
  }

  private static Kind kindOf(JsonNode v) {
    if (v == null || v.isNull()) return null;
    if (v.isIntegralNumber() && v.canConvertToLong()) return Kind.LONG;
    if (v.isNumber()) return Kind.DOUBLE;
    if (v.isBoolean()) return Kind.BOOLEAN;
    return Kind.STRING;
  }

  private static Object value(JsonNode v) {
    if (v == null || v.isNull()) return null;
    if (v.isNumber()) return v.numberValue();
    return v.isTextual() ? v.asText() : v.toString();
  }

  private static ObjectReader csvReader() {
    return new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY).readerFor(String[].class);
  }

  private static String csvValue(String v) {
    return v == null || v.isEmpty() ? null : v;
  }

  private static Kind csvKind(String v) {
    if (v == null || v.isEmpty()) return null;
    try {
      Long.parseLong(v);
      return Kind.LONG;
    } catch (NumberFormatException e) {
      // not a whole number
    }
    try {
      double d = Double.parseDouble(v);
      if (!Double.isNaN(d) && !Double.isInfinite(d)) return Kind.DOUBLE;
    } catch (NumberFormatException e) {
      // not a number
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) return Kind.BOOLEAN;
    return Kind.STRING;
  }

  @Override
  public Schema schema() {
    List<Types.NestedField> fields = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      fields.add(Types.NestedField.optional(i + 1, names[i], kinds[i].iceberg));
    }
    return new Schema(fields);
  }

  @Override
  public String timeColumn() {
    return timeColumn;
  }

  @Override
  public String origin() {
    return "file:" + path;
  }

  @Override
  public DataStream<RowData> rows(StreamExecutionEnvironment env) {
    FileSource<String> lines =
        FileSource.forRecordStreamFormat(
                new TextLineInputFormat(), new org.apache.flink.core.fs.Path(Path.of(path).toUri()))
            .build();
    return env.fromSource(lines, WatermarkStrategy.noWatermarks(), "spine " + path)
        .flatMap(new Parse(this), InternalTypeInfo.of(TrainingRows.withTime(schema())))
        .name("parse spine rows");
  }

  /** One line to {@code (time, columns…)}; blank lines and the CSV header are skipped. */
  private static final class Parse extends RichFlatMapFunction<String, RowData> {
    private final SpineFile spine;
    private transient ObjectMapper json;
    private transient ObjectReader csv;

    Parse(SpineFile spine) {
      this.spine = spine;
    }

    @Override
    public void open(OpenContext context) {
      json = new ObjectMapper();
      csv = csvReader();
    }

    @Override
    public void flatMap(String line, Collector<RowData> out) throws Exception {
      if (line.isBlank() || line.equals(spine.header)) return;
      int n = spine.names.length;
      GenericRowData row = new GenericRowData(n + 1);
      if (spine.format == Format.JSONL) {
        JsonNode node = json.readTree(line);
        for (int i = 0; i < n; i++)
          row.setField(i + 1, internal(spine.kinds[i], node.get(spine.names[i])));
        row.setField(0, SpineTime.millis(value(node.get(spine.timeColumn))));
      } else {
        String[] values;
        try (MappingIterator<String[]> it = csv.readValues(line)) {
          values = it.next();
        }
        for (int i = 0; i < n; i++) {
          String v = i < values.length ? csvValue(values[i]) : null;
          row.setField(i + 1, v == null ? null : internal(spine.kinds[i], v));
        }
        row.setField(0, SpineTime.millis(csvValue(values[spine.timeIndex])));
      }
      out.collect(row);
    }

    private static Object internal(Kind kind, JsonNode v) {
      if (v == null || v.isNull()) return null;
      return switch (kind) {
        case LONG -> v.asLong();
        case DOUBLE -> v.asDouble();
        case BOOLEAN -> v.asBoolean();
        case STRING -> StringData.fromString(v.isTextual() ? v.asText() : v.toString());
      };
    }

    private static Object internal(Kind kind, String v) {
      return switch (kind) {
        case LONG -> Long.parseLong(v);
        case DOUBLE -> Double.parseDouble(v);
        case BOOLEAN -> Boolean.parseBoolean(v);
        case STRING -> StringData.fromString(v);
      };
    }
  }
}
