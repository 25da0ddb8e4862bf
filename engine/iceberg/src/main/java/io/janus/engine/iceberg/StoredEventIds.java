package io.janus.engine.iceberg;

import io.janus.engine.iceberg.internal.EventIdSet;
import io.janus.engine.iceberg.lineage.Lineage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which event ids a source's raw table already holds, day partition by day partition: how the
 * stream's cold path appends each event id once however many jobs, restarts and replays bring it.
 *
 * <p>A day's ids are read (the id column only) the first time an event of that day is checked, and
 * kept as 128-bit digests ({@link EventIdSet}, about 21 bytes per id); at most {@code maxDays} days
 * are kept, the least recently used one is dropped and read again when needed. Ids accepted through
 * {@link #addIfAbsent} are added at once, so a repeated id in the same job is refused before it is
 * committed. What other writers commit (an ingest, another stream job) is read from the snapshots
 * added since, at most every {@code refresh} interval, skipping the snapshots of this run (its own
 * ids are already held) and compactions (which add no new ids).
 *
 * <p>The check is made before the rows are written: two writers that append the same id within one
 * refresh interval, before either commits, can both append it. Only the ids {@code mine} accepts
 * are held, so parallel instances each hold their own share of the key space.
 *
 * <p>Not thread-safe; one instance per Flink subtask.
 */
public final class StoredEventIds {
  private static final Logger LOG = LoggerFactory.getLogger(StoredEventIds.class);
  private static final long DAY_MS = 86_400_000L;

  private final Table table;
  private final String runId;
  private final Predicate<String> mine;
  private final int maxDays;
  private final long refreshMillis;
  private final Schema idSchema;
  private final String timeColumn;
  private final LinkedHashMap<Long, EventIdSet> days = new LinkedHashMap<>(16, 0.75f, true);
  // When this instance last accepted an id of each kept day: such ids may not be committed yet.
  private final Map<Long, Long> lastAccepted = new java.util.HashMap<>();
  private Long known;
  private long refreshedAt;

  /**
   * @param table the raw table ({@link RawEvents})
   * @param raw the raw table's shape
   * @param idColumn the event-id column
   * @param runId the run whose own snapshots need not be read back
   * @param mine which ids this instance holds (all, or a parallel instance's share)
   * @param maxDays how many day partitions to keep in memory at most
   * @param refresh how often to read what other writers committed
   */
  public StoredEventIds(
      Table table,
      RawEvents raw,
      String idColumn,
      String runId,
      Predicate<String> mine,
      int maxDays,
      Duration refresh) {
    if (maxDays < 1) throw new IllegalArgumentException("maxDays must be at least 1: " + maxDays);
    this.table = table;
    this.runId = runId;
    this.mine = mine;
    this.maxDays = maxDays;
    this.refreshMillis = refresh.toMillis();
    this.idSchema = table.schema().select(idColumn);
    this.timeColumn = raw.eventTimeColumn();
  }

  /**
   * Records {@code id}, of an event at {@code eventTimeMillis}, unless the raw table or an earlier
   * call already holds it.
   *
   * @return true if the id is new: the event is to be appended
   */
  public boolean addIfAbsent(String id, long eventTimeMillis) {
    long now = System.currentTimeMillis();
    if (now - refreshedAt >= refreshMillis) {
      refresh();
      refreshedAt = now;
    }
    long day = Math.floorDiv(eventTimeMillis, DAY_MS);
    EventIdSet ids = days.get(day);
    if (ids == null) {
      ids = load(day);
      evict(day);
    }
    if (!ids.add(id)) return false;
    lastAccepted.put(day, now);
    return true;
  }

  /** How many ids are held in memory (over every kept day). */
  public long heldIds() {
    long n = 0;
    for (EventIdSet s : days.values()) n += s.size();
    return n;
  }

  private EventIdSet load(long day) {
    refresh();
    long t0 = System.currentTimeMillis();
    EventIdSet ids = new EventIdSet();
    if (known != null) {
      try (CloseableIterable<Record> rows =
          IcebergGenerics.read(table)
              .useSnapshot(known)
              .where(
                  Expressions.and(
                      Expressions.greaterThanOrEqual(timeColumn, day * DAY_MS * 1000),
                      Expressions.lessThan(timeColumn, (day + 1) * DAY_MS * 1000)))
              .select(idSchema.columns().get(0).name())
              .build()) {
        add(rows, ids);
      } catch (IOException e) {
        throw new UncheckedIOException("reading the event ids of " + table.name(), e);
      }
    }
    days.put(day, ids);
    LOG.info(
        "{}: {} stored event ids of day {} read in {} ms",
        table.name(),
        ids.size(),
        java.time.LocalDate.ofEpochDay(day),
        System.currentTimeMillis() - t0);
    return ids;
  }

  /**
   * Drops least recently used days beyond {@code maxDays}, but never {@code inUse} (the day being
   * checked) nor a day this instance accepted an id of within the last three refresh intervals:
   * that id may not be committed yet, and reading the day again would miss it. Until such days age,
   * more than {@code maxDays} are kept.
   */
  private void evict(long inUse) {
    long now = System.currentTimeMillis();
    for (Iterator<Long> it = days.keySet().iterator(); it.hasNext() && days.size() > maxDays; ) {
      Long day = it.next();
      if (day == inUse) continue;
      Long accepted = lastAccepted.get(day);
      if (accepted != null && now - accepted < 3 * Math.max(refreshMillis, 1000)) continue;
      it.remove();
      lastAccepted.remove(day);
    }
  }

  private void add(CloseableIterable<Record> rows, EventIdSet ids) {
    // By name: a scan filtered on the time column reads that column too, in table order.
    String idName = idSchema.columns().get(0).name();
    for (Record r : rows) {
      Object id = r.getField(idName);
      if (id != null && mine.test(id.toString())) ids.add(id.toString());
    }
  }

  /** Reads the ids of the kept days that other writers appended since the last look. */
  private void refresh() {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null || (known != null && current.snapshotId() == known)) return;
    List<Snapshot> added = new ArrayList<>();
    boolean found = known == null;
    for (Snapshot s = current; s != null; ) {
      if (known != null && s.snapshotId() == known) {
        found = true;
        break;
      }
      added.add(s);
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    known = current.snapshotId();
    if (!found) {
      // Main no longer descends from what was read (a rollback): read the kept days again.
      Set<Long> kept = new HashSet<>(days.keySet());
      days.clear();
      for (Long day : kept) load(day);
      return;
    }
    if (days.isEmpty()) return;
    for (Snapshot s : added) {
      if (!DataOperations.APPEND.equals(s.operation())
          && !DataOperations.OVERWRITE.equals(s.operation())) continue;
      if (runId.equals(s.summary().get(Lineage.RUN_ID))) continue;
      for (DataFile f : s.addedDataFiles(table.io())) {
        EventIdSet ids = days.get(dayOf(f));
        if (ids != null) read(f, ids);
      }
    }
  }

  private long dayOf(DataFile f) {
    Integer day = f.partition().size() == 0 ? null : f.partition().get(0, Integer.class);
    return day == null ? Long.MIN_VALUE : day;
  }

  private void read(DataFile f, EventIdSet ids) {
    if (f.format() != FileFormat.PARQUET)
      throw new IllegalStateException(
          table.name() + ": data file " + f.location() + " is " + f.format() + ", not Parquet");
    try (CloseableIterable<Record> rows =
        Parquet.read(table.io().newInputFile(f.location()))
            .project(idSchema)
            .createReaderFunc(fs -> GenericParquetReaders.buildReader(idSchema, fs))
            .build()) {
      add(rows, ids);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the event ids of " + f.location(), e);
    }
  }

  /** The kept days and their id counts, for logs and tests. */
  Map<Long, Integer> keptDays() {
    Map<Long, Integer> m = new LinkedHashMap<>();
    days.forEach((d, s) -> m.put(d, s.size()));
    return m;
  }
}
