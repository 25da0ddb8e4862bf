package io.janus.engine.iceberg.audit;

import io.janus.engine.core.definition.AuditRules;
import io.janus.engine.core.definition.Feature;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.audit.AuditCheck.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

/**
 * Audits the rows a backfill wrote to its branch: the group's YAML rules plus built-in ones —
 * unique {@code (keys, valid_from)}, non-negative counts, every row inside the range with {@code ds
 * = date(valid_from)} — and drift against main on the same days.
 *
 * <p>Row counts, null counts and value ranges (also of {@code valid_from}) come from the data
 * files' column metrics in the Iceberg manifests, exact for numbers. Uniqueness and {@code ds} come
 * from the figures the job measured on the rows it handed to the writer, checked against the
 * manifests' row count; without those figures the key columns are read. Drift columns and columns
 * without metrics are read from the data, one day per task in parallel.
 */
public final class Auditor {
  /** Separates entity values when a composite key is hashed. */
  private static final char KEY_SEPARATOR = '\u001F';

  private final FeatureGroup group;
  private final java.util.SortedSet<LocalDate> rawDays;

  /** An auditor of {@code group}'s feature table, held to the group's audit rules. */
  public Auditor(FeatureGroup group) {
    this(group, new java.util.TreeSet<>());
  }

  private Auditor(FeatureGroup group, java.util.SortedSet<LocalDate> rawDays) {
    this.group = group;
    this.rawDays = rawDays;
  }

  /**
   * The same auditor, told the days of events the raw table holds: {@code min_rows_per_day} then
   * holds every day of the range between the first and the last of them, and a day inside them with
   * no events at all is reported (a warning: a quiet day is possible, a lost one is likelier).
   */
  public Auditor withRawDays(java.util.Collection<LocalDate> days) {
    return new Auditor(group, new java.util.TreeSet<>(days));
  }

  /**
   * @param branchSnapshot the audited snapshot of the branch
   * @param mainSnapshot main's snapshot to compare drift with, or null when main has none
   * @param written what the job measured on the rows it wrote, or null to read the key columns
   *     instead
   */
  public AuditReport audit(
      Table table,
      String runId,
      String branch,
      long branchSnapshot,
      Long mainSnapshot,
      LocalDate start,
      LocalDate end,
      WrittenFigures written) {
    Expression days =
        Expressions.and(
            Expressions.greaterThanOrEqual(FeatureTables.DS, start.toString()),
            Expressions.lessThanOrEqual(FeatureTables.DS, end.toString()));
    List<String> columns = group.schema().featureNames();
    int n = columns.size();

    // 1. Counts, nulls and bounds from the manifests.
    long rows = 0;
    Map<LocalDate, Long> rowsPerDay = new java.util.TreeMap<>();
    long[] nulls = new long[n];
    double[] min = new double[n];
    double[] max = new double[n];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    boolean[] readColumn = new boolean[n];
    Types.NestedField[] fields =
        columns.stream().map(c -> table.schema().findField(c)).toArray(Types.NestedField[]::new);
    int validFromId = table.schema().findField(FeatureTables.VALID_FROM).fieldId();
    long startMicros = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() * 1000;
    long endMicros = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() * 1000;
    long filesOutOfRange = 0;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(branchSnapshot).filter(days).includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile f = task.file();
        rows += f.recordCount();
        Integer ds = f.partition().get(0, Integer.class);
        if (ds != null) rowsPerDay.merge(LocalDate.ofEpochDay(ds), f.recordCount(), Long::sum);
        ByteBuffer vfLo = f.lowerBounds() == null ? null : f.lowerBounds().get(validFromId);
        ByteBuffer vfHi = f.upperBounds() == null ? null : f.upperBounds().get(validFromId);
        if (vfLo != null
            && vfHi != null
            && ((Long) Conversions.fromByteBuffer(Types.TimestampType.withZone(), vfLo)
                    < startMicros
                || (Long) Conversions.fromByteBuffer(Types.TimestampType.withZone(), vfHi)
                    >= endMicros)) {
          filesOutOfRange++;
        }
        for (int c = 0; c < n; c++) {
          int id = fields[c].fieldId();
          Long fileNulls = f.nullValueCounts() == null ? null : f.nullValueCounts().get(id);
          if (fileNulls == null) {
            readColumn[c] = true;
            continue;
          }
          nulls[c] += fileNulls;
          if (fileNulls == f.recordCount()
              || !fields[c].type().isPrimitiveType()
              || !isNumeric(fields[c].type())) {
            continue;
          }
          ByteBuffer lo = f.lowerBounds() == null ? null : f.lowerBounds().get(id);
          ByteBuffer hi = f.upperBounds() == null ? null : f.upperBounds().get(id);
          if (lo == null || hi == null) {
            readColumn[c] = true;
            continue;
          }
          min[c] = Math.min(min[c], number(fields[c].type(), lo));
          max[c] = Math.max(max[c], number(fields[c].type(), hi));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int c = 0; c < n; c++) {
      if (readColumn[c]) {
        nulls[c] = 0;
        min[c] = Double.POSITIVE_INFINITY;
        max[c] = Double.NEGATIVE_INFINITY;
      }
    }

    // 2. What the metrics cannot tell: read those columns, a day per task.
    Set<String> driftColumns = new java.util.TreeSet<>(group.audit().maxDrift().keySet());
    Set<String> projection = new LinkedHashSet<>();
    if (written == null) {
      projection.addAll(group.entity());
      projection.add(FeatureTables.VALID_FROM);
      projection.add(FeatureTables.DS);
    }
    projection.addAll(driftColumns);
    for (int c = 0; c < n; c++) if (readColumn[c]) projection.add(columns.get(c));
    List<LocalDate> dayList = start.datesUntil(end.plusDays(1)).toList();
    List<Tally> branchParts =
        projection.isEmpty()
            ? List.of()
            : parallel(
                dayList,
                d -> {
                  Tally t = new Tally(columns, readColumn, driftColumns, start, end);
                  try (CloseableIterable<Record> it = read(table, branchSnapshot, d, projection)) {
                    t.addBranch(it);
                  }
                  return t;
                });
    Tally all = new Tally(columns, readColumn, driftColumns, start, end);
    branchParts.forEach(all::merge);
    Map<String, DoubleList> mainValues = new HashMap<>();
    driftColumns.forEach(c -> mainValues.put(c, new DoubleList()));
    long mainRows = 0;
    if (mainSnapshot != null && !driftColumns.isEmpty()) {
      List<Tally> mainParts =
          parallel(
              dayList,
              d -> {
                Tally t = new Tally(columns, readColumn, driftColumns, start, end);
                try (CloseableIterable<Record> it = read(table, mainSnapshot, d, driftColumns)) {
                  t.addMain(it);
                }
                return t;
              });
      for (Tally t : mainParts) {
        mainRows += t.rows;
        t.values.forEach((k, v) -> mainValues.get(k).addAll(v));
      }
    }
    for (int c = 0; c < n; c++) {
      if (readColumn[c]) {
        nulls[c] = all.nulls[c];
        min[c] = all.min[c];
        max[c] = all.max[c];
      }
    }

    // 3. Checks.
    List<ColumnStats> stats = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      boolean any = min[c] != Double.POSITIVE_INFINITY;
      stats.add(
          new ColumnStats(
              columns.get(c),
              nulls[c],
              rows == 0 ? 0 : (double) nulls[c] / rows,
              any ? min[c] : null,
              any ? max[c] : null));
    }
    List<AuditCheck> checks = new ArrayList<>();
    AuditRules rules = group.audit();
    if (rules.minRows() != null) {
      checks.add(
          check(
              "min_rows",
              null,
              rows >= rules.minRows(),
              rows,
              ">= " + rules.minRows(),
              rows + " rows in range, need at least " + rules.minRows()));
    }
    if (!rawDays.isEmpty()) {
      LocalDate from = start.isAfter(rawDays.first()) ? start : rawDays.first();
      LocalDate to = end.isBefore(rawDays.last()) ? end : rawDays.last();
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        long dayRows = rowsPerDay.getOrDefault(d, 0L);
        if (rules.minRowsPerDay() != null)
          checks.add(
              check(
                  "min_rows_per_day",
                  d.toString(),
                  dayRows >= rules.minRowsPerDay(),
                  dayRows,
                  ">= " + rules.minRowsPerDay(),
                  d
                      + " has "
                      + dayRows
                      + " rows, need at least "
                      + rules.minRowsPerDay()
                      + (rawDays.contains(d) ? "" : " (the raw table has no events that day)")));
        if (!rawDays.contains(d))
          checks.add(
              new AuditCheck(
                  "raw_events",
                  d.toString(),
                  Status.WARN,
                  0L,
                  "> 0",
                  "the raw table has no events on "
                      + d
                      + ", between its first day "
                      + rawDays.first()
                      + " and its last "
                      + rawDays.last()
                      + ": ingest it before trusting this day"));
      }
    }
    if (rules.maxRows() != null) {
      checks.add(
          check(
              "max_rows",
              null,
              rows <= rules.maxRows(),
              rows,
              "<= " + rules.maxRows(),
              rows + " rows in range, allowed at most " + rules.maxRows()));
    }
    long dups = written != null ? written.duplicates() : duplicates(all.rowHashes, (int) all.keyed);
    long keys = written != null ? written.keys() : distinct(all.keyHashes, (int) all.keyed);
    long counted = written != null ? written.rows() : all.rows;
    long badDs = written != null ? written.badDs() : all.badDs;
    checks.add(
        check(
            "unique_key",
            null,
            dups == 0,
            dups,
            "0",
            dups + " duplicate (" + String.join(", ", group.entity()) + ", valid_from) rows"));
    checks.add(
        check(
            "in_range",
            null,
            filesOutOfRange == 0 && all.outOfRange == 0 && badDs == 0,
            filesOutOfRange + all.outOfRange + badDs,
            "0",
            (filesOutOfRange + all.outOfRange)
                + " files or rows with valid_from outside "
                + start
                + ".."
                + end
                + ", "
                + badDs
                + " rows with ds != date(valid_from)"));
    checks.add(
        check(
            "row_count",
            null,
            counted == rows,
            rows,
            "= " + counted,
            rows
                + " rows in the branch's manifests, "
                + counted
                + " rows "
                + (written != null ? "written by the job" : "read")));
    for (int c = 0; c < n; c++) {
      Feature f = group.features().get(c);
      if (f.agg().nonNegative()) {
        boolean any = min[c] != Double.POSITIVE_INFINITY;
        checks.add(
            check(
                "non_negative",
                f.name(),
                !any || min[c] >= 0,
                any ? min[c] : null,
                ">= 0",
                f.name() + " minimum is " + (any ? min[c] : "n/a")));
      }
    }
    for (Map.Entry<String, Double> e : new TreeMap<>(rules.maxNullRate()).entrySet()) {
      int c = columns.indexOf(e.getKey());
      double rate = rows == 0 ? 0 : (double) nulls[c] / rows;
      checks.add(
          check(
              "max_null_rate",
              e.getKey(),
              rate <= e.getValue(),
              rate,
              "<= " + e.getValue(),
              String.format("%s null rate %.4f, allowed %.4f", e.getKey(), rate, e.getValue())));
    }
    for (Map.Entry<String, AuditRules.Range> e : new TreeMap<>(rules.ranges()).entrySet()) {
      int c = columns.indexOf(e.getKey());
      AuditRules.Range r = e.getValue();
      boolean any = min[c] != Double.POSITIVE_INFINITY;
      boolean ok = !any || (min[c] >= r.min() && max[c] <= r.max());
      checks.add(
          check(
              "range",
              e.getKey(),
              ok,
              any ? List.of(min[c], max[c]) : null,
              "[" + r.min() + ", " + r.max() + "]",
              e.getKey()
                  + " spans ["
                  + (any ? min[c] + ", " + max[c] : "n/a")
                  + "], allowed ["
                  + r.min()
                  + ", "
                  + r.max()
                  + "]"));
    }
    for (Map.Entry<String, Double> e : new TreeMap<>(rules.maxDrift()).entrySet()) {
      DoubleList mv = mainValues.get(e.getKey());
      if (mv.size == 0) {
        checks.add(
            new AuditCheck(
                "max_drift",
                e.getKey(),
                Status.PASS,
                null,
                "<= " + e.getValue(),
                e.getKey() + ": main has no rows in the range, nothing to compare"));
        continue;
      }
      double psi = Psi.of(mv.toArray(), all.values.get(e.getKey()).toArray());
      boolean ok = psi <= e.getValue();
      Status status =
          ok
              ? Status.PASS
              : (rules.driftAction() == AuditRules.DriftAction.WARN ? Status.WARN : Status.FAIL);
      checks.add(
          new AuditCheck(
              "max_drift",
              e.getKey(),
              status,
              psi,
              "<= " + e.getValue(),
              String.format("%s PSI vs main %.4f, allowed %.4f", e.getKey(), psi, e.getValue())));
    }
    boolean passed = checks.stream().noneMatch(c -> c.status() == Status.FAIL);
    return new AuditReport(
        group.name(),
        runId,
        branch,
        branchSnapshot,
        start.toString(),
        end.toString(),
        rows,
        keys,
        mainRows,
        stats,
        checks,
        passed);
  }

  private interface DayTask {
    Tally run(LocalDate day) throws Exception;
  }

  private static List<Tally> parallel(List<LocalDate> days, DayTask task) {
    int threads = Math.max(1, Math.min(days.size(), Runtime.getRuntime().availableProcessors()));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "janus-audit");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Tally>> futures = new ArrayList<>();
      for (LocalDate d : days) futures.add(pool.submit(() -> task.run(d)));
      List<Tally> out = new ArrayList<>();
      for (Future<Tally> f : futures) out.add(f.get());
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("audit interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "audit read failed: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static CloseableIterable<Record> read(
      Table table, long snapshot, LocalDate day, Set<String> columns) {
    return IcebergGenerics.read(table)
        .useSnapshot(snapshot)
        .select(columns.toArray(String[]::new))
        .where(Expressions.equal(FeatureTables.DS, day.toString()))
        .build();
  }

  private static boolean isNumeric(org.apache.iceberg.types.Type t) {
    return switch (t.typeId()) {
      case INTEGER, LONG, FLOAT, DOUBLE, DECIMAL -> true;
      default -> false;
    };
  }

  private static double number(org.apache.iceberg.types.Type t, ByteBuffer b) {
    Object v = Conversions.fromByteBuffer(t, b);
    return ((Number) v).doubleValue();
  }

  /** Figures of a set of rows; tallies of disjoint parts merge. */
  private final class Tally {
    final List<String> columns;
    final boolean[] readColumn;
    final int n;
    final long[] nulls;
    final double[] min;
    final double[] max;
    final Map<String, DoubleList> values = new HashMap<>();
    final LocalDate rangeStart;
    final LocalDate rangeEnd;
    long rows;
    long keyed;
    long outOfRange;
    long badDs;
    long[] rowHashes = new long[1024];
    long[] keyHashes = new long[1024];

    Tally(
        List<String> columns,
        boolean[] readColumn,
        Set<String> driftColumns,
        LocalDate rangeStart,
        LocalDate rangeEnd) {
      this.columns = columns;
      this.readColumn = readColumn;
      this.n = columns.size();
      this.nulls = new long[n];
      this.min = new double[n];
      this.max = new double[n];
      Arrays.fill(min, Double.POSITIVE_INFINITY);
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
      this.rangeStart = rangeStart;
      this.rangeEnd = rangeEnd;
      driftColumns.forEach(c -> values.put(c, new DoubleList()));
    }

    void addBranch(Iterable<Record> records) {
      int[] entityPos = null;
      int[] columnPos = null;
      int[] driftPos = null;
      DoubleList[] driftValues = null;
      int validFromPos = -1;
      int dsPos = -1;
      for (Record r : records) {
        if (entityPos == null) {
          // Positions once per part: name lookups per row would cost more than the audit itself.
          Types.StructType struct = r.struct();
          boolean keysRead = struct.field(FeatureTables.VALID_FROM) != null;
          entityPos =
              keysRead
                  ? group.entity().stream().mapToInt(e -> indexOf(struct, e)).toArray()
                  : new int[0];
          columnPos = new int[n];
          for (int c = 0; c < n; c++)
            columnPos[c] = readColumn[c] ? indexOf(struct, columns.get(c)) : -1;
          List<String> drift = new ArrayList<>(values.keySet());
          driftPos = drift.stream().mapToInt(c -> indexOf(struct, c)).toArray();
          driftValues = drift.stream().map(values::get).toArray(DoubleList[]::new);
          validFromPos = keysRead ? indexOf(struct, FeatureTables.VALID_FROM) : -1;
          dsPos = keysRead ? indexOf(struct, FeatureTables.DS) : -1;
        }
        rows++;
        if (validFromPos >= 0) {
          addKey(r, entityPos, validFromPos, dsPos);
        }
        for (int c = 0; c < n; c++) {
          if (columnPos[c] < 0) continue;
          Object v = r.get(columnPos[c]);
          if (v == null) {
            nulls[c]++;
          } else if (v instanceof Number num) {
            min[c] = Math.min(min[c], num.doubleValue());
            max[c] = Math.max(max[c], num.doubleValue());
          }
        }
        for (int d = 0; d < driftPos.length; d++) {
          if (r.get(driftPos[d]) instanceof Number num) driftValues[d].add(num.doubleValue());
        }
      }
    }

    private void addKey(Record r, int[] entityPos, int validFromPos, int dsPos) {
      long keyHash = keyHash(r, entityPos);
      long validFrom = millis(r.get(validFromPos));
      LocalDate vfDay = Instant.ofEpochMilli(validFrom).atZone(ZoneOffset.UTC).toLocalDate();
      if (!vfDay.equals(r.get(dsPos))) badDs++;
      if (vfDay.isBefore(rangeStart) || vfDay.isAfter(rangeEnd)) outOfRange++;
      if (keyed == rowHashes.length) {
        rowHashes = Arrays.copyOf(rowHashes, rowHashes.length * 2);
        keyHashes = Arrays.copyOf(keyHashes, keyHashes.length * 2);
      }
      rowHashes[(int) keyed] = mix(keyHash ^ (validFrom * 0x9E3779B97F4A7C15L));
      keyHashes[(int) keyed] = keyHash;
      keyed++;
    }

    void addMain(Iterable<Record> records) {
      for (Record r : records) {
        rows++;
        for (Map.Entry<String, DoubleList> e : values.entrySet()) {
          if (r.getField(e.getKey()) instanceof Number num) e.getValue().add(num.doubleValue());
        }
      }
    }

    void merge(Tally o) {
      for (int c = 0; c < n; c++) {
        nulls[c] += o.nulls[c];
        min[c] = Math.min(min[c], o.min[c]);
        max[c] = Math.max(max[c], o.max[c]);
      }
      o.values.forEach((k, v) -> values.get(k).addAll(v));
      rowHashes = concat(rowHashes, keyed, o.rowHashes, o.keyed);
      keyHashes = concat(keyHashes, keyed, o.keyHashes, o.keyed);
      keyed += o.keyed;
      rows += o.rows;
      outOfRange += o.outOfRange;
      badDs += o.badDs;
    }
  }

  private static AuditCheck check(
      String rule, String column, boolean ok, Object observed, String bound, String message) {
    return new AuditCheck(rule, column, ok ? Status.PASS : Status.FAIL, observed, bound, message);
  }

  private static int indexOf(Types.StructType struct, String name) {
    List<Types.NestedField> fields = struct.fields();
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) return i;
    }
    throw new IllegalStateException("column " + name + " missing from the feature table");
  }

  /**
   * A 64-bit hash of the entity key values (a collision only merges two keys in the distinct
   * count).
   */
  private static long keyHash(Record r, int[] entityPos) {
    long h = 1125899906842597L;
    for (int p : entityPos) {
      String s = String.valueOf(r.get(p));
      for (int i = 0; i < s.length(); i++) h = 31 * h + s.charAt(i);
      h = 31 * h + KEY_SEPARATOR;
    }
    return mix(h);
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  static long millis(Object ts) {
    if (ts instanceof OffsetDateTime o) return o.toInstant().toEpochMilli();
    if (ts instanceof Long micros) return Math.floorDiv(micros, 1000L);
    throw new IllegalArgumentException("unexpected timestamp " + ts);
  }

  private static long[] concat(long[] a, long an, long[] b, long bn) {
    long[] out = Arrays.copyOf(a, (int) (an + bn));
    System.arraycopy(b, 0, out, (int) an, (int) bn);
    return out;
  }

  private static long duplicates(long[] hashes, int n) {
    long[] a = Arrays.copyOf(hashes, n);
    Arrays.sort(a);
    long d = 0;
    for (int i = 1; i < n; i++) if (a[i] == a[i - 1]) d++;
    return d;
  }

  private static long distinct(long[] hashes, int n) {
    long[] a = Arrays.copyOf(hashes, n);
    Arrays.sort(a);
    long d = n == 0 ? 0 : 1;
    for (int i = 1; i < n; i++) if (a[i] != a[i - 1]) d++;
    return d;
  }

  /** A growable primitive list, so drift columns of millions of rows stay compact. */
  private static final class DoubleList {
    double[] values = new double[256];
    int size;

    void add(double v) {
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }

    void addAll(DoubleList o) {
      for (int i = 0; i < o.size; i++) add(o.values[i]);
    }

    double[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
