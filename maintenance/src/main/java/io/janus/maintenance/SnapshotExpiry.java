package io.janus.maintenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

/**
 * Snapshot expiry with Iceberg's {@code expireSnapshots} action: snapshots older than a cut-off go,
 * except the last N of every branch, and never a snapshot a branch or tag points at (audit branches
 * of backfills in flight, tags models are pinned to). The plan is checked before anything is
 * removed: a ref whose own max age would drop it makes the expiry refuse. A dry run reports the
 * snapshots and files that would go and changes nothing.
 */
public final class SnapshotExpiry {
  private final SparkSession spark;
  private final Table table;
  private final long olderThanMillis;
  private final int retainLast;
  private final boolean dryRun;

  private SnapshotExpiry(
      SparkSession spark, Table table, long olderThanMillis, int retainLast, boolean dryRun) {
    this.spark = spark;
    this.table = table;
    this.olderThanMillis = olderThanMillis;
    this.retainLast = retainLast;
    this.dryRun = dryRun;
  }

  /**
   * Expires snapshots committed before {@code olderThanMillis} (epoch ms), keeping at least one per
   * branch.
   */
  public static SnapshotExpiry of(SparkSession spark, Table table, long olderThanMillis) {
    return new SnapshotExpiry(spark, table, olderThanMillis, 1, false);
  }

  /** Keeps at least this many of the newest snapshots of every branch, however old. */
  public SnapshotExpiry retainLast(int n) {
    if (n < 1) throw new IllegalArgumentException("retain-last must be at least 1, got " + n);
    return new SnapshotExpiry(spark, table, olderThanMillis, n, dryRun);
  }

  /** Reports only. */
  public SnapshotExpiry dryRun(boolean on) {
    return new SnapshotExpiry(spark, table, olderThanMillis, retainLast, on);
  }

  /** Runs the expiry (or reports it, in a dry run). */
  public ExpiryResult execute() {
    long t0 = System.currentTimeMillis();
    table.refresh();
    List<Snapshot> before = new ArrayList<>();
    table.snapshots().forEach(before::add);
    Set<Long> expiring = expiring();
    List<String> refs = checkRefs(expiring);
    List<Long> expired = new ArrayList<>();
    List<Snapshot> goner = new ArrayList<>();
    List<Snapshot> kept = new ArrayList<>();
    for (Snapshot s : before) {
      if (expiring.contains(s.snapshotId())) {
        expired.add(s.snapshotId());
        goner.add(s);
      } else {
        kept.add(s);
      }
    }
    if (expired.isEmpty()) {
      return new ExpiryResult(
          before.size(), before.size(), expired, 0, 0, 0, 0, refs, System.currentTimeMillis() - t0);
    }
    if (dryRun) {
      Reach gone = Reach.of(table, goner);
      Reach stays = Reach.of(table, kept);
      return new ExpiryResult(
          before.size(),
          kept.size(),
          expired,
          minus(gone.dataFiles, stays.dataFiles),
          minus(gone.deleteFiles, stays.deleteFiles),
          minus(gone.manifests, stays.manifests),
          goner.size(),
          refs,
          System.currentTimeMillis() - t0);
    }
    org.apache.iceberg.actions.ExpireSnapshots.Result r =
        SparkActions.get(spark)
            .expireSnapshots(table)
            .expireOlderThan(olderThanMillis)
            .retainLast(retainLast)
            .execute();
    table.refresh();
    int after = 0;
    for (var ignored : table.snapshots()) after++;
    return new ExpiryResult(
        before.size(),
        after,
        expired,
        r.deletedDataFilesCount(),
        r.deletedEqualityDeleteFilesCount() + r.deletedPositionDeleteFilesCount(),
        r.deletedManifestsCount(),
        r.deletedManifestListsCount(),
        refs,
        System.currentTimeMillis() - t0);
  }

  /**
   * Iceberg's own plan: the snapshots this expiry would remove ({@code apply()} commits nothing).
   */
  private Set<Long> expiring() {
    Set<Long> ids = new HashSet<>();
    table
        .expireSnapshots()
        .expireOlderThan(olderThanMillis)
        .retainLast(retainLast)
        .apply()
        .forEach(s -> ids.add(s.snapshotId()));
    return ids;
  }

  /**
   * Checks, before anything changes, that no branch or tag would go: fails naming the ref if its
   * snapshot would expire, or if its own {@code max-ref-age} has passed (Iceberg then drops the ref
   * itself, whether its snapshot expires or not). Returns the refs, sorted.
   */
  public List<String> checkRefs() {
    table.refresh();
    return checkRefs(expiring());
  }

  private List<String> checkRefs(Set<Long> expiring) {
    long now = System.currentTimeMillis();
    List<String> refs = new ArrayList<>();
    for (Map.Entry<String, SnapshotRef> e : table.refs().entrySet()) {
      SnapshotRef ref = e.getValue();
      String what =
          (ref.isBranch() ? "branch" : "tag")
              + " '"
              + e.getKey()
              + "' (snapshot "
              + ref.snapshotId()
              + ")";
      Snapshot snapshot = table.snapshot(ref.snapshotId());
      boolean aged =
          !e.getKey().equals(SnapshotRef.MAIN_BRANCH)
              && ref.maxRefAgeMs() != null
              && snapshot != null
              && now - snapshot.timestampMillis() > ref.maxRefAgeMs();
      if (aged || expiring.contains(ref.snapshotId())) {
        throw new IllegalStateException(
            "table "
                + table.name()
                + ": expiry would drop "
                + what
                + (aged
                    ? ": its max-ref-age of " + ref.maxRefAgeMs() + " ms has passed"
                    : ": its snapshot would expire")
                + "; refusing");
      }
      refs.add(e.getKey());
    }
    refs.sort(null);
    return refs;
  }

  private static long minus(Set<String> a, Set<String> b) {
    return a.stream().filter(x -> !b.contains(x)).count();
  }

  /** Manifests and content files reachable from a set of snapshots. */
  private record Reach(Set<String> manifests, Set<String> dataFiles, Set<String> deleteFiles) {
    static Reach of(Table table, List<Snapshot> snapshots) {
      Reach r = new Reach(new HashSet<>(), new HashSet<>(), new HashSet<>());
      for (Snapshot s : snapshots) {
        for (ManifestFile m : s.allManifests(table.io())) {
          if (!r.manifests.add(m.path())) continue;
          try {
            if (m.content() == ManifestContent.DATA) {
              try (CloseableIterable<String> paths =
                  ManifestFiles.readPaths(m, table.io(), table.specs())) {
                paths.forEach(r.dataFiles::add);
              }
            } else {
              try (var reader = ManifestFiles.readDeleteManifest(m, table.io(), table.specs())) {
                reader.forEach(f -> r.deleteFiles.add(f.location()));
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      return r;
    }
  }
}
