package io.janus.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three Spark actions on a real Hadoop-catalog warehouse, Spark in local mode. */
class MaintenanceITCase {
  @TempDir static Path dir;
  static Maintenance maintenance;
  static SparkSession spark;
  static int tables;

  @BeforeAll
  static void start() {
    String warehouse = dir.resolve("warehouse").toUri().toString();
    maintenance =
        Maintenance.start(
            "local[2]",
            Map.of(
                "spark.sql.catalog.test",
                "org.apache.iceberg.spark.SparkCatalog",
                "spark.sql.catalog.test.type",
                "hadoop",
                "spark.sql.catalog.test.warehouse",
                warehouse,
                "spark.sql.catalog.test.cache-enabled",
                "false"),
            Map.of("type", "hadoop", "warehouse", warehouse));
    spark = maintenance.spark();
  }

  @AfterAll
  static void stop() {
    maintenance.close();
  }

  /**
   * A new table {@code db.tN} partitioned by day, with {@code commits} appends of 2 rows per day
   * for 2 days: 2 small files each.
   */
  static String smallFilesTable(int commits) {
    String name = "db.t" + (++tables);
    spark.sql(
        "CREATE TABLE test."
            + name
            + " (id BIGINT, user_id STRING, v DOUBLE, ds DATE) USING iceberg PARTITIONED BY (ds)"
            + " TBLPROPERTIES ('format-version'='2')");
    for (int c = 0; c < commits; c++) {
      spark.sql(
          "INSERT INTO test."
              + name
              + " VALUES "
              + "("
              + (4 * c)
              + ", 'u"
              + (c % 7)
              + "', "
              + c
              + ".5, DATE'2024-01-01'), ("
              + (4 * c + 1)
              + ", 'u"
              + ((c + 3) % 7)
              + "', 1.0, DATE'2024-01-01'),"
              + "("
              + (4 * c + 2)
              + ", 'u"
              + (c % 5)
              + "', 2.0, DATE'2024-01-02'), ("
              + (4 * c + 3)
              + ", 'u"
              + ((c + 1) % 5)
              + "', 3.0, DATE'2024-01-02')");
    }
    return name;
  }

  static List<String> rows(String name) {
    return spark.sql("SELECT * FROM test." + name + " ORDER BY id").collectAsList().stream()
        .map(Row::toString)
        .toList();
  }

  static List<String> liveFiles(Table t) throws IOException {
    List<String> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      tasks.forEach(f -> files.add(f.file().location()));
    }
    return files;
  }

  @Test
  void compactionRewritesSmallFilesIntoFewWithIdenticalRowsAndLineage() {
    String name = smallFilesTable(12);
    List<String> rowsBefore = rows(name);
    Table t = maintenance.table(name);
    long head = t.currentSnapshot().snapshotId();

    CompactionResult plan = Compaction.of(spark, t).dryRun(true).execute();
    assertThat(plan.before().dataFiles()).isEqualTo(24);
    assertThat(plan.rewrittenFiles()).isEqualTo(24);
    assertThat(plan.groups()).isEqualTo(2);
    t.refresh();
    assertThat(t.currentSnapshot().snapshotId()).as("dry run commits nothing").isEqualTo(head);

    CompactionResult r =
        Compaction.of(spark, t)
            .sortBy(List.of("user_id"))
            .snapshotProperties(Map.of("janus.run-id", "r1", "janus.job", "maintenance"))
            .execute();
    assertThat(r.before().dataFiles()).isEqualTo(24);
    assertThat(r.after().dataFiles()).isEqualTo(2);
    assertThat(r.rewrittenFiles()).isEqualTo(24);
    assertThat(r.addedFiles()).isEqualTo(2);
    assertThat(rows(name)).isEqualTo(rowsBefore);
    t.refresh();
    assertThat(t.currentSnapshot().operation()).isEqualTo("replace");
    assertThat(t.currentSnapshot().summary())
        .containsEntry("janus.run-id", "r1")
        .containsEntry("janus.job", "maintenance");
  }

  @Test
  void compactionLeavesTablesWithFewFilesAloneAndRejectsUnknownSortColumns() {
    String name = smallFilesTable(2);
    Table t = maintenance.table(name);
    long head = t.currentSnapshot().snapshotId();
    CompactionResult r = Compaction.of(spark, t).execute();
    assertThat(r.rewrittenFiles()).isZero();
    t.refresh();
    assertThat(t.currentSnapshot().snapshotId()).isEqualTo(head);
    assertThatThrownBy(() -> Compaction.of(spark, t).sortBy(List.of("nope")))
        .hasMessageContaining("has no column 'nope'");
  }

  @Test
  void expiryKeepsBranchAndTagSnapshotsAndTimeTravelStillWorks() throws Exception {
    String name = smallFilesTable(6);
    Table t = maintenance.table(name);
    List<Snapshot> history = new ArrayList<>();
    t.snapshots().forEach(history::add);
    Snapshot tagged = history.get(1);
    Snapshot branchHead = history.get(3);
    t.manageSnapshots()
        .createTag("model_v1", tagged.snapshotId())
        .createBranch("audit_run42", branchHead.snapshotId())
        .commit();
    List<String> atTag =
        spark
            .read()
            .option("snapshot-id", tagged.snapshotId())
            .table("test." + name)
            .orderBy("id")
            .collectAsList()
            .stream()
            .map(Row::toString)
            .toList();
    assertThat(atTag).hasSize(8);
    Compaction.of(spark, t)
        .execute(); // the 12 small files are now only referenced by old snapshots
    Thread.sleep(5);

    t.refresh();
    int snapshots = 0;
    for (Snapshot ignored : t.snapshots()) snapshots++;
    assertThat(snapshots).as("6 appends and the compaction's commits").isGreaterThan(6);
    ExpiryResult plan =
        SnapshotExpiry.of(spark, t, System.currentTimeMillis()).dryRun(true).execute();
    assertThat(plan.snapshotsBefore()).isEqualTo(snapshots);
    assertThat(plan.snapshotsAfter()).isEqualTo(3);
    assertThat(plan.keptRefs()).containsExactly("audit_run42", "main", "model_v1");
    t.refresh();
    assertThat(t.snapshots()).hasSize(snapshots);

    ExpiryResult r = SnapshotExpiry.of(spark, t, System.currentTimeMillis()).execute();
    assertThat(r.expiredSnapshotIds())
        .containsExactlyInAnyOrderElementsOf(plan.expiredSnapshotIds())
        .hasSize(snapshots - 3);
    assertThat(r.snapshotsAfter()).isEqualTo(3);
    // The dry run's file arithmetic agrees with what the action deleted.
    assertThat(r.deletedDataFiles()).isEqualTo(plan.deletedDataFiles());
    assertThat(r.deletedManifestLists())
        .isEqualTo(plan.deletedManifestLists())
        .isEqualTo(snapshots - 3);
    assertThat(r.deletedDataFiles()).as("small files only old snapshots referenced").isPositive();
    t.refresh();
    assertThat(t.snapshot(tagged.snapshotId())).isNotNull();
    assertThat(t.snapshot(branchHead.snapshotId())).isNotNull();
    assertThat(t.refs()).containsKeys("main", "audit_run42", "model_v1");
    assertThat(
            spark
                .read()
                .option("snapshot-id", tagged.snapshotId())
                .table("test." + name)
                .orderBy("id")
                .collectAsList()
                .stream()
                .map(Row::toString)
                .toList())
        .isEqualTo(atTag);
    assertThat(spark.read().option("branch", "audit_run42").table("test." + name).count())
        .isEqualTo(16);
  }

  @Test
  void expiryRefusesToDropARefWhoseMaxAgePassed() throws Exception {
    String name = smallFilesTable(3);
    Table t = maintenance.table(name);
    long first = t.history().get(0).snapshotId();
    t.manageSnapshots().createTag("stale", first).setMaxRefAgeMs("stale", 1).commit();
    Thread.sleep(5);
    assertThatThrownBy(() -> SnapshotExpiry.of(spark, t, System.currentTimeMillis()).execute())
        .hasMessageContaining("tag 'stale'")
        .hasMessageContaining("max-ref-age")
        .hasMessageContaining("refusing");
    t.refresh();
    assertThat(t.snapshots()).hasSize(3);
    assertThat(t.refs()).containsKey("stale");
  }

  @Test
  void expiryRefusesWhenAStaleTagSitsOnASnapshotThatStays() throws Exception {
    // Iceberg drops a ref whose max-ref-age passed even when its snapshot is kept (here: main's
    // head).
    String name = smallFilesTable(6);
    Table t = maintenance.table(name);
    long head = t.currentSnapshot().snapshotId();
    t.manageSnapshots().createTag("pinned_model", head).setMaxRefAgeMs("pinned_model", 1).commit();
    Thread.sleep(5);
    Maintenance.Options o =
        new Maintenance.Options(
            null, 2, false, Duration.ofMillis(1), 1, Duration.ofDays(3), Map.of(), false);
    assertThatThrownBy(() -> maintenance.preflight(Maintenance.Action.ALL, name, o))
        .hasMessageContaining("tag 'pinned_model'")
        .hasMessageContaining("max-ref-age")
        .hasMessageContaining("refusing");
    assertThatThrownBy(
            () -> SnapshotExpiry.of(spark, t, System.currentTimeMillis()).dryRun(true).execute())
        .hasMessageContaining("tag 'pinned_model'");
    t.refresh();
    assertThat(t.currentSnapshot().snapshotId()).isEqualTo(head);
    assertThat(t.refs()).containsKey("pinned_model");
  }

  @Test
  void orphanRemovalDeletesOnlyOldUnreferencedFiles() throws Exception {
    String name = smallFilesTable(3);
    Table t = maintenance.table(name);
    List<String> rowsBefore = rows(name);
    Path location = Path.of(java.net.URI.create(t.location()));
    Path data = location.resolve("data");
    Path old1 = Files.writeString(data.resolve("ds=2024-01-01/orphan-1.parquet"), "x");
    Path old2 = Files.writeString(data.resolve("stray.parquet"), "x");
    Path old3 = Files.writeString(location.resolve("metadata/abandoned-m0.avro"), "x");
    Path fresh = Files.writeString(data.resolve("in-flight.parquet"), "x");
    FileTime fourDaysAgo = FileTime.from(Instant.now().minus(Duration.ofDays(4)));
    for (Path p : List.of(old1, old2, old3)) Files.setLastModifiedTime(p, fourDaysAgo);
    long cutoff = System.currentTimeMillis() - Duration.ofDays(3).toMillis();

    OrphanResult plan = OrphanRemoval.of(spark, t, cutoff).dryRun(true).execute();
    assertThat(plan.orphans())
        .hasSize(3)
        .allSatisfy(p -> assertThat(p).containsAnyOf("orphan-1", "stray", "abandoned-m0"));
    assertThat(List.of(old1, old2, old3, fresh)).allSatisfy(p -> assertThat(p).exists());

    OrphanResult r = OrphanRemoval.of(spark, t, cutoff).execute();
    assertThat(r.orphans()).hasSize(3);
    assertThat(List.of(old1, old2, old3)).allSatisfy(p -> assertThat(p).doesNotExist());
    assertThat(fresh).exists();
    for (String f : liveFiles(t)) {
      assertThat(Path.of(java.net.URI.create(f))).exists();
    }
    try (Stream<Path> meta = Files.list(location.resolve("metadata"))) {
      assertThat(meta.map(p -> p.getFileName().toString())).contains("version-hint.text");
    }
    assertThat(rows(name)).isEqualTo(rowsBefore);
  }

  @Test
  void missingTableAndBadArgumentsGiveOneLine() {
    assertThatThrownBy(() -> maintenance.table("db.nope"))
        .hasMessage("table db.nope does not exist in the catalog");
    assertThat(MaintenanceMain.run("shrink", "--table", "db.x")).isEqualTo(2);
    assertThat(MaintenanceMain.run("all")).isEqualTo(2);
    assertThatThrownBy(() -> SnapshotExpiry.of(spark, null, 0).retainLast(0))
        .hasMessageContaining("at least 1");
  }
}
