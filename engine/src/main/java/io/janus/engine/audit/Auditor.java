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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.data.Record;

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

  /**
   * @param branchRows rows of the audited branch in the range
   * @param mainRows rows of main in the range (empty when main has none)
   */
  public AuditReport audit(
      String runId, String branch, Long snapshotId, LocalDate start, LocalDate end,
      Iterable<Record> branchRows, Iterable<Record> mainRows) {
    List<String> columns = plan.columnNames();
    int n = columns.size();
    long[] nulls = new long[n];
    double[] min = new double[n];
    double[] max = new double[n];
    double[] sum = new double[n];
    long[] numeric = new long[n];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    Set<String> driftColumns = group.audit().maxDrift().keySet();
    Map<String, DoubleList> branchValues = new HashMap<>();
    for (String c : driftColumns) branchValues.put(c, new DoubleList());

    long rows = 0;
    long outOfRange = 0;
    long badDs = 0;
    Set<String> keys = new HashSet<>();
    long[] keyHashes = new long[1024];
    long startMs = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long endMs = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    for (Record r : branchRows) {
      String key = key(r);
      keys.add(key);
      long validFrom = millis(r.getField(FeatureTables.VALID_FROM));
      if (validFrom < startMs || validFrom >= endMs) outOfRange++;
      LocalDate ds = (LocalDate) r.getField(FeatureTables.DS);
      if (!ds.equals(Instant.ofEpochMilli(validFrom).atZone(ZoneOffset.UTC).toLocalDate())) badDs++;
      if (rows == keyHashes.length) keyHashes = Arrays.copyOf(keyHashes, keyHashes.length * 2);
      keyHashes[(int) rows] = hash(key, validFrom);
      rows++;
      for (int c = 0; c < n; c++) {
        Object v = r.getField(columns.get(c));
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

    Map<String, DoubleList> mainValues = new HashMap<>();
    for (String c : driftColumns) mainValues.put(c, new DoubleList());
    long mainCount = 0;
    for (Record r : mainRows) {
      mainCount++;
      for (String c : driftColumns) {
        Object v = r.getField(c);
        if (v instanceof Number num) mainValues.get(c).add(num.doubleValue());
      }
    }

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
        rows, keys.size(), mainCount, stats, checks, passed);
  }

  private static AuditCheck check(String rule, String column, boolean ok, Object observed, String bound, String message) {
    return new AuditCheck(rule, column, ok ? Status.PASS : Status.FAIL, observed, bound, message);
  }

  private String key(Record r) {
    if (group.entity().size() == 1) return String.valueOf(r.getField(group.entity().get(0)));
    StringBuilder sb = new StringBuilder();
    for (String e : group.entity()) sb.append(r.getField(e)).append(GroupPlan.KEY_SEPARATOR);
    return sb.toString();
  }

  static long millis(Object ts) {
    if (ts instanceof OffsetDateTime o) return o.toInstant().toEpochMilli();
    if (ts instanceof Long micros) return Math.floorDiv(micros, 1000L);
    throw new IllegalArgumentException("unexpected timestamp " + ts);
  }

  private static long hash(String key, long validFrom) {
    long h = 1125899906842597L;
    for (int i = 0; i < key.length(); i++) h = 31 * h + key.charAt(i);
    h ^= validFrom * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 29);
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

    void add(double v) {
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }

    double[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
