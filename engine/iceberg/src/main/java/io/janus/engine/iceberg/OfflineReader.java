package io.janus.engine.iceberg;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.schema.FieldType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Reads a group's offline feature table: all rows or one key's, at main's current state or as of a
 * past snapshot or time (time travel by the time a snapshot reached main), and point-in-time
 * lookups for training examples.
 */
public final class OfflineReader {
  private final Table table;
  private final FeatureGroup group;

  public OfflineReader(Warehouse warehouse, FeatureGroup group) {
    if (!warehouse.exists(FeatureTables.id(group))) {
      throw new NoSuchElementException(
          "feature table " + FeatureTables.id(group) + " does not exist yet: run a backfill first");
    }
    this.table = warehouse.load(FeatureTables.id(group));
    this.group = group;
  }

  /** The snapshot main had at {@code epochMillis}; fails when main had none yet. */
  public long snapshotAsOf(long epochMillis) {
    try {
      return SnapshotUtil.snapshotIdAsOfTime(table, epochMillis);
    } catch (IllegalArgumentException e) {
      throw new NoSuchElementException(
          "main of "
              + FeatureTables.id(group)
              + " had no snapshot at "
              + Instant.ofEpochMilli(epochMillis));
    }
  }

  /** Main's current snapshot id, or null when the table is empty. */
  public Long currentSnapshot() {
    Snapshot s = table.currentSnapshot();
    return s == null ? null : s.snapshotId();
  }

  /**
   * Rows ordered by key and valid_from.
   *
   * @param key entity key as given on the command line (see {@link #keyFilter}), or null for all
   * @param snapshotId snapshot to read, or null for main's current one
   */
  public List<Map<String, Object>> rows(String key, Long snapshotId) {
    Long snap = snapshotId != null ? snapshotId : currentSnapshot();
    if (snap == null) return List.of();
    if (table.snapshot(snap) == null) {
      throw new NoSuchElementException("no snapshot " + snap + " in " + FeatureTables.id(group));
    }
    var scan = IcebergGenerics.read(table).useSnapshot(snap);
    if (key != null) scan = scan.where(keyFilter(key));
    List<Map<String, Object>> out = new ArrayList<>();
    try (CloseableIterable<Record> it = scan.build()) {
      for (Record r : it) out.add(toMap(r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Comparator<Map<String, Object>> order = Comparator.comparing(m -> keyString(m));
    out.sort(order.thenComparing(m -> (Instant) m.get(FeatureTables.VALID_FROM)));
    return out;
  }

  /**
   * Point-in-time lookup (DESIGN §4): the row with the greatest {@code valid_from <= ts}, or null
   * when there is none or its TTL has passed at {@code ts} ({@link FeatureGroup#liveAt}, as
   * online). Never a row from the future.
   */
  public Map<String, Object> lookup(String key, Instant ts, Long snapshotId) {
    Map<String, Object> best = null;
    for (Map<String, Object> r : rows(key, snapshotId)) {
      Instant vf = (Instant) r.get(FeatureTables.VALID_FROM);
      if (!vf.isAfter(ts)) best = r;
    }
    if (best == null) return null;
    Instant vf = (Instant) best.get(FeatureTables.VALID_FROM);
    return group.liveAt(vf.toEpochMilli(), ts.toEpochMilli()) ? best : null;
  }

  /**
   * A filter on the entity keys: a plain value for a single key, else {@code field=value} pairs or
   * positional values separated by commas.
   */
  public Expression keyFilter(String key) {
    List<String> entity = group.entity();
    String[] parts = entity.size() == 1 ? new String[] {key} : key.split(",");
    if (parts.length != entity.size()) {
      throw new IllegalArgumentException(
          "key '" + key + "' must give " + entity.size() + " values for " + entity);
    }
    Expression e = Expressions.alwaysTrue();
    for (int i = 0; i < parts.length; i++) {
      String field = entity.get(i);
      String value = parts[i].trim();
      int eq = value.indexOf('=');
      if (entity.size() > 1 && eq > 0) {
        field = value.substring(0, eq).trim();
        value = value.substring(eq + 1).trim();
        if (!entity.contains(field))
          throw new IllegalArgumentException(
              "'" + field + "' is not an entity key of " + group.name());
      }
      FieldType t = group.source().field(field).orElseThrow().type();
      Object literal;
      try {
        literal = t == FieldType.LONG ? (Object) Long.parseLong(value) : value;
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            "key field '" + field + "' is a whole number, got '" + value + "'");
      }
      e = Expressions.and(e, Expressions.equal(field, literal));
    }
    return e;
  }

  private String keyString(Map<String, Object> m) {
    StringBuilder sb = new StringBuilder();
    for (String k : group.entity()) sb.append(m.get(k)).append('\u001F');
    return sb.toString();
  }

  private Map<String, Object> toMap(Record r) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Types.NestedField f : table.schema().columns()) {
      Object v = r.getField(f.name());
      if (v instanceof OffsetDateTime o) v = o.toInstant();
      m.put(f.name(), v);
    }
    return m;
  }

  public Table table() {
    return table;
  }
}
