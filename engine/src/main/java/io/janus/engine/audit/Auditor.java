package io.janus.engine.audit;

import io.janus.engine.audit.AuditCheck.Status;
import io.janus.engine.compute.GroupPlan;
import io.janus.engine.definition.AggKind;
import io.janus.engine.definition.AuditRules;
import io.janus.engine.definition.Feature;
import io.janus.engine.definition.FeatureGroup;
import io.janus.engine.iceberg.FeatureTables;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Audits the rows a backfill wrote: the group's YAML rules plus built-in ones — unique
 * {@code (keys, valid_from)}, non-negative counts, every row inside the range with
 * {@code ds = date(valid_from)} — and drift against main on the overlapping partitions.
 */
public final class Auditor {
  private final GroupPlan plan;
  private final FeatureGroup group;

  public Auditor(GroupPlan plan) {
    this.plan = plan;
    this.group = plan.group();
  }

  /** Reads the rows of one day of one snapshot. */
  @FunctionalInterface
  public interface DayReader {
    CloseableIterable<Record> read(LocalDate day);
  }

  /**
   * Audits the branch against main, reading the range's days in parallel (one task per day).
   *
   * @param branch reads a day of the audited branch
   * @param main reads a day of main, or null when main has no snapshot
   */
  public AuditReport audit(String runId, String branchName, Long snapshotId, LocalDate start, LocalDate end,
      DayReader branch, DayReader main) {
    List<LocalDate> days = start.datesUntil(end.plusDays(1)).toList();
    int threads = Math.max(1, Math.min(days.size(), Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "janus-audit");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Tally>> parts = new ArrayList<>();
      for (LocalDate d : days) {
        parts.add(pool.submit(() -> {
          Tally t = new Tally(start, end);
          try (CloseableIterable<Record> rows = branch.read(d)) {
            t.addBranch(rows);
          }
          if (main != null) {
            try (CloseableIterable<Record> rows = main.read(d)) {
              t.addMain(rows);
            }
          }
          return t;
        }));
      }
      Tally all = new Tally(start, end);
      for (Future<Tally> f : parts) {
        all.merge(f.get());
      }
      return report(runId, branchName, snapshotId, start, end, all);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("audit interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("audit of " + branchName + " failed: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * @param branchRows rows of the audited branch in the range
   * @param mainRows rows of main in the range (empty when main has none)
   */
  public AuditReport audit(
      String runId, String branch, Long snapshotId, LocalDate start, LocalDate end,
      Iterable<Record> branchRows, Iterable<Record> mainRows) {
    Tally t = new Tally(start, end);
    t.addBranch(branchRows);
    t.addMain(mainRows);
    return report(runId, branch, snapshotId, start, end, t);
  }

  /** Figures of a set of rows; tallies of disjoint parts merge. */
  private final class Tally {
    final List<String> columns = plan.columnNames();
    final int n = columns.size();
    final long[] nulls = new long[n];
    final double[] min = new double[n];
    final double[] max = new double[n];
    final double[] sum = new double[n];
    final long[] numeric = new long[n];
    final Map<String, DoubleList> branchValues = new HashMap<>();
    final Map<String, DoubleList> mainValues = new HashMap<>();
    long rows;
    long outOfRange;
    long badDs;
    long mainCount;
    long[] keyHashes = new long[1024];
    long[] entityHashes = new long[1024];
    final LocalDate rangeStart;
    final LocalDate rangeEnd;

    Tally(LocalDate rangeStart, LocalDate rangeEnd) {
      this.rangeStart = rangeStart;
      this.rangeEnd = rangeEnd;
      Arrays.fill(min, Double.POSITIVE_INFINITY);
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
      for (String c : group.audit().maxDrift().keySet()) {
        branchValues.put(c, new DoubleList());
        mainValues.put(c, new DoubleList());
      }
    }

    void addBranch(Iterable<Record> branchRows) {
      int[] entityPos = null;
      int[] columnPos = null;
      int validFromPos = -1;
      int dsPos = -1;
      for (Record r : branchRows) {
        if (entityPos == null) {
          // Positions once per part: name lookups per row cost more than the audit itself.
          var struct = r.struct();
          entityPos = group.entity().stream().mapToInt(e -> indexOf(struct, e)).toArray();
          columnPos = columns.stream().mapToInt(c -> indexOf(struct, c)).toArray();
          validFromPos = indexOf(struct, FeatureTables.VALID_FROM);
          dsPos = indexOf(struct, FeatureTables.DS);
        }
        long keyHash = keyHash(r, entityPos);
        long validFrom = millis(r.get(validFromPos));
        LocalDate ds = (LocalDate) r.get(dsPos);
        LocalDate vfDay = Instant.ofEpochMilli(validFrom).atZone(ZoneOffset.UTC).toLocalDate();
        if (!ds.equals(vfDay)) badDs++;
        if (vfDay.isBefore(rangeStart) || vfDay.isAfter(rangeEnd)) outOfRange++;
        if (rows == keyHashes.length) {
          keyHashes = Arrays.copyOf(keyHashes, keyHashes.length * 2);
          entityHashes = Arrays.copyOf(entityHashes, entityHashes.length * 2);
        }
        keyHashes[(int) rows] = mix(keyHash ^ (validFrom * 0x9E3779B97F4A7C15L));
        entityHashes[(int) rows] = keyHash;
        rows++;
        for (int c = 0; c < n; c++) {
          Object v = r.get(columnPos[c]);
          if (v == null) {
            nulls[c]++;
          } else if (v instanceof Number num) {
            double d = num.doubleValue();
            min[c] = Math.min(min[c], d);
            max[c] = Math.max(max[c], d);
            sum[c] += d;
            numeric[c]++;
            DoubleList dl = branchValues.get(columns.get(c));
            if (dl != null) dl.add(d);
          }
        }
      }
    }

    void addMain(Iterable<Record> mainRows) {
      for (Record r : mainRows) {
        mainCount++;
        for (Map.Entry<String, DoubleList> e : mainValues.entrySet()) {
          Object v = r.getField(e.getKey()); // drift columns only: a handful of lookups
          if (v instanceof Number num) e.getValue().add(num.doubleValue());
        }
      }
    }

    void merge(Tally o) {
      for (int c = 0; c < n; c++) {
        nulls[c] += o.nulls[c];
        min[c] = Math.min(min[c], o.min[c]);
        max[c] = Math.max(max[c], o.max[c]);
        sum[c] += o.sum[c];
        numeric[c] += o.numeric[c];
      }
      o.branchValues.forEach((k, v) -> branchValues.get(k).addAll(v));
      o.mainValues.forEach((k, v) -> mainValues.get(k).addAll(v));
      keyHashes = concat(keyHashes, rows, o.keyHashes, o.rows);
      entityHashes = concat(entityHashes, rows, o.entityHashes, o.rows);
      rows += o.rows;
      outOfRange += o.outOfRange;
      badDs += o.badDs;
      mainCount += o.mainCount;
    }
  }

  private AuditReport report(String runId, String branch, Long snapshotId, LocalDate start, LocalDate end, Tally t) {
    List<String> columns = t.columns;
    int n = t.n;
    long[] nulls = t.nulls;
    double[] min = t.min;
    double[] max = t.max;
    double[] sum = t.sum;
    long[] numeric = t.numeric;
    long rows = t.rows;
    long outOfRange = t.outOfRange;
    long badDs = t.badDs;
    long mainCount = t.mainCount;
    long keys = distinct(t.entityHashes, (int) rows);
    long[] keyHashes = t.keyHashes;
    Map<String, DoubleList> branchValues = t.branchValues;
    Map<String, DoubleList> mainValues = t.mainValues;
    List<ColumnStats> stats = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      stats.add(new ColumnStats(
          columns.get(c), nulls[c], rows == 0 ? 0 : (double) nulls[c] / rows,
          numeric[c] == 0 ? null : min[c], numeric[c] == 0 ? null : max[c],
          numeric[c] == 0 ? null : sum[c] / numeric[c]));
    }

    List<AuditCheck> checks = new ArrayList<>();
    AuditRules rules = group.audit();
    if (rules.minRows() != null) {
      checks.add(check("min_rows", null, rows >= rules.minRows(), rows, ">= " + rules.minRows(),
          rows + " rows in range, need at least " + rules.minRows()));
    }
    if (rules.maxRows() != null) {
      checks.add(check("max_rows", null, rows <= rules.maxRows(), rows, "<= " + rules.maxRows(),
          rows + " rows in range, allowed at most " + rules.maxRows()));
    }
    long dups = duplicates(keyHashes, (int) rows);
    checks.add(check("unique_key", null, dups == 0, dups, "0",
        dups + " duplicate (" + String.join(", ", group.entity()) + ", valid_from) rows"));
    checks.add(check("in_range", null, outOfRange == 0 && badDs == 0, outOfRange + badDs, "0",
        outOfRange + " rows outside " + start + ".." + end + ", " + badDs + " rows with ds != date(valid_from)"));
    for (int c = 0; c < n; c++) {
      Feature f = group.features().get(c);
      if (f.agg() == AggKind.COUNT || f.agg() == AggKind.APPROX_COUNT_DISTINCT || f.agg() == AggKind.DURATION) {
        boolean ok = numeric[c] == 0 || min[c] >= 0;
        checks.add(check("non_negative", f.name(), ok, numeric[c] == 0 ? null : min[c], ">= 0",
            f.name() + " minimum is " + (numeric[c] == 0 ? "n/a" : min[c])));
      }
    }
    for (Map.Entry<String, Double> e : new java.util.TreeMap<>(rules.maxNullRate()).entrySet()) {
      int c = columns.indexOf(e.getKey());
      double rate = rows == 0 ? 0 : (double) nulls[c] / rows;
      checks.add(check("max_null_rate", e.getKey(), rate <= e.getValue(), rate, "<= " + e.getValue(),
          String.format("%s null rate %.4f, allowed %.4f", e.getKey(), rate, e.getValue())));
    }
    for (Map.Entry<String, AuditRules.Range> e : new java.util.TreeMap<>(rules.ranges()).entrySet()) {
      int c = columns.indexOf(e.getKey());
      AuditRules.Range r = e.getValue();
      boolean ok = numeric[c] == 0 || (min[c] >= r.min() && max[c] <= r.max());
      checks.add(check("range", e.getKey(), ok, numeric[c] == 0 ? null : List.of(min[c], max[c]),
          "[" + r.min() + ", " + r.max() + "]",
          e.getKey() + " spans [" + (numeric[c] == 0 ? "n/a" : min[c] + ", " + max[c]) + "], allowed [" + r.min() + ", " + r.max() + "]"));
    }
    for (Map.Entry<String, Double> e : new java.util.TreeMap<>(rules.maxDrift()).entrySet()) {
      DoubleList mv = mainValues.get(e.getKey());
      if (mv.size == 0) {
        checks.add(new AuditCheck("max_drift", e.getKey(), Status.PASS, null, "<= " + e.getValue(),
            e.getKey() + ": main has no rows in the range, nothing to compare"));
        continue;
      }
      double psi = Psi.of(mv.toArray(), branchValues.get(e.getKey()).toArray());
      boolean ok = psi <= e.getValue();
      Status status = ok ? Status.PASS : (rules.driftAction() == AuditRules.DriftAction.WARN ? Status.WARN : Status.FAIL);
      checks.add(new AuditCheck("max_drift", e.getKey(), status, psi, "<= " + e.getValue(),
          String.format("%s PSI vs main %.4f, allowed %.4f", e.getKey(), psi, e.getValue())));
    }
    boolean passed = checks.stream().noneMatch(c -> c.status() == Status.FAIL);
    return new AuditReport(group.name(), runId, branch, snapshotId, start.toString(), end.toString(),
        rows, keys, mainCount, stats, checks, passed);
  }

  private static AuditCheck check(String rule, String column, boolean ok, Object observed, String bound, String message) {
    return new AuditCheck(rule, column, ok ? Status.PASS : Status.FAIL, observed, bound, message);
  }

  private static int indexOf(org.apache.iceberg.types.Types.StructType struct, String name) {
    List<org.apache.iceberg.types.Types.NestedField> fields = struct.fields();
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) return i;
    }
    throw new IllegalStateException("column " + name + " missing from the feature table");
  }

  /** A 64-bit hash of the entity key values (collisions only merge two keys in the distinct count). */
  private static long keyHash(Record r, int[] entityPos) {
    long h = 1125899906842597L;
    for (int p : entityPos) {
      String s = String.valueOf(r.get(p));
      for (int i = 0; i < s.length(); i++) h = 31 * h + s.charAt(i);
      h = 31 * h + GroupPlan.KEY_SEPARATOR;
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

  private static long[] concat(long[] a, long an, long[] b, long bn) {
    long[] out = Arrays.copyOf(a, (int) (an + bn));
    System.arraycopy(b, 0, out, (int) an, (int) bn);
    return out;
  }

  private static long distinct(long[] hashes, int n) {
    long[] a = Arrays.copyOf(hashes, n);
    Arrays.sort(a);
    long d = n == 0 ? 0 : 1;
    for (int i = 1; i < n; i++) if (a[i] != a[i - 1]) d++;
    return d;
  }

  static long millis(Object ts) {
    if (ts instanceof OffsetDateTime o) return o.toInstant().toEpochMilli();
    if (ts instanceof Long micros) return Math.floorDiv(micros, 1000L);
    throw new IllegalArgumentException("unexpected timestamp " + ts);
  }

  private static long duplicates(long[] hashes, int n) {
    long[] a = Arrays.copyOf(hashes, n);
    Arrays.sort(a);
    long d = 0;
    for (int i = 1; i < n; i++) if (a[i] == a[i - 1]) d++;
    return d;
  }

  /** A growable primitive list, so drift columns of millions of rows stay compact. */
  private static final class DoubleList {
    double[] values = new double[256];
    int size;

    void addAll(DoubleList o) {
      for (int i = 0; i < o.size; i++) add(o.values[i]);
    }

    void add(double v) {
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }

    double[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
