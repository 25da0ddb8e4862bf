package io.janus.engine.iceberg.wap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.engine.iceberg.Warehouse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write-Audit-Publish on a real (local, Hadoop-catalog) Iceberg table, files by metadata only. */
class WriteAuditPublishTest {
  static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.required(2, "ds", Types.StringType.get()));
  static final Expression DAY2 = Expressions.equal("ds", "2026-11-02");

  @TempDir Path dir;
  Table table;
  int files;

  @BeforeEach
  void createTable() {
    Warehouse w = Warehouse.local(dir);
    table =
        w.createOrLoad(
            Warehouse.id("t", "wap"),
            SCHEMA,
            PartitionSpec.builderFor(SCHEMA).identity("ds").build());
  }

  DataFile file(String ds) {
    return DataFiles.builder(table.spec())
        .withPath(dir.resolve("f" + files++ + ".parquet").toString())
        .withFileSizeInBytes(100)
        .withRecordCount(10)
        .withPartitionPath("ds=" + ds)
        .build();
  }

  void appendToMain(String ds) {
    table.newAppend().appendFile(file(ds)).commit();
  }

  void appendToBranch(String branch, String ds) {
    table.newAppend().appendFile(file(ds)).toBranch(branch).commit();
  }

  List<String> paths(String ref) {
    table.refresh();
    List<String> out = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useRef(ref).planFiles()) {
      tasks.forEach(t -> out.add(t.file().partition().get(0, String.class)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    out.sort(null);
    return out;
  }

  int metadataVersions() {
    TableMetadata m = ((HasTableOperations) table).operations().refresh();
    return m.previousFiles().size();
  }

  @Test
  void aBranchOfAnEmptyTableIsCreatedByItsFirstCommitWithTheRunsSummary() {
    OpenBranch open =
        WriteAuditPublish.on(table).openBranch("audit_r1").clearing(DAY2).set("janus.run-id", "r1");
    assertThat(open.apply()).isNull();
    open.commit();
    table.refresh();
    assertThat(table.refs()).containsOnlyKeys("audit_r1");
    Snapshot head = table.snapshot(table.refs().get("audit_r1").snapshotId());
    assertThat(head.summary())
        .containsEntry("janus.run-id", "r1")
        .containsEntry(WriteAuditPublish.BASE_SNAPSHOT, "none")
        .containsEntry(WriteAuditPublish.STEP, "clear-range");
    assertThat(table.currentSnapshot()).isNull();
  }

  @Test
  void openingClearsTheRangeOnTheBranchOnlyAndApplyCommitsNothing() {
    appendToMain("2026-11-01");
    appendToMain("2026-11-02");
    long main = table.currentSnapshot().snapshotId();
    OpenBranch open = WriteAuditPublish.on(table).openBranch("audit_r1").clearing(DAY2);
    assertThat(open.apply().snapshotId()).isEqualTo(main);
    table.refresh();
    assertThat(table.refs()).containsOnlyKeys("main");

    open.fromSnapshot(main).commit();
    assertThat(paths("audit_r1")).containsExactly("2026-11-01");
    assertThat(paths("main")).containsExactly("2026-11-01", "2026-11-02");
    assertThat(table.snapshot(table.refs().get("audit_r1").snapshotId()).summary())
        .containsEntry(WriteAuditPublish.BASE_SNAPSHOT, Long.toString(main));
    assertThatThrownBy(() -> WriteAuditPublish.on(table).openBranch("audit_r1").commit())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already has a branch audit_r1");
  }

  @Test
  void anUnmovedMainFastForwardsAndLosesTheBranchInOneCommit() {
    appendToMain("2026-11-02");
    long base = table.currentSnapshot().snapshotId();
    WriteAuditPublish wap = WriteAuditPublish.on(table);
    wap.openBranch("audit_r1").fromSnapshot(base).clearing(DAY2).commit();
    appendToBranch("audit_r1", "2026-11-02");
    long head = table.refs().get("audit_r1").snapshotId();

    PublishBranch publish = wap.publishBranch("audit_r1").range(DAY2).validateFromSnapshot(base);
    assertThat(publish.apply()).isEqualTo(PublishBranch.Mode.FAST_FORWARD);
    int before = metadataVersions();
    assertThat(publish.publish()).isEqualTo(PublishBranch.Mode.FAST_FORWARD);
    assertThat(metadataVersions()).isEqualTo(before + 1);
    table.refresh();
    assertThat(table.refs()).containsOnlyKeys("main");
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(head);
  }

  @Test
  void aMovedMainGetsTheBranchsRangeReappliedAndKeepsItsOtherChanges() {
    appendToMain("2026-11-02");
    long base = table.currentSnapshot().snapshotId();
    WriteAuditPublish wap = WriteAuditPublish.on(table);
    wap.openBranch("audit_r1").fromSnapshot(base).clearing(DAY2).commit();
    appendToBranch("audit_r1", "2026-11-02");
    long head = table.refs().get("audit_r1").snapshotId();
    appendToMain("2026-11-01"); // another run, another day

    PublishBranch publish =
        wap.publishBranch("audit_r1")
            .range(DAY2)
            .validateFromSnapshot(base)
            .set("janus.run-id", "r1");
    assertThat(publish.apply()).isEqualTo(PublishBranch.Mode.REBASE);
    assertThat(publish.publish()).isEqualTo(PublishBranch.Mode.REBASE);
    table.refresh();
    assertThat(table.refs()).containsOnlyKeys("main");
    assertThat(paths("main")).containsExactly("2026-11-01", "2026-11-02");
    assertThat(table.currentSnapshot().summary())
        .containsEntry(WriteAuditPublish.REBASED_FROM, Long.toString(head))
        .containsEntry("janus.run-id", "r1");
  }

  @Test
  void aConcurrentChangeToTheSameRowsFailsThePublishAndKeepsBoth() {
    appendToMain("2026-11-02");
    long base = table.currentSnapshot().snapshotId();
    WriteAuditPublish wap = WriteAuditPublish.on(table);
    wap.openBranch("audit_r1").fromSnapshot(base).clearing(DAY2).commit();
    appendToBranch("audit_r1", "2026-11-02");
    appendToMain("2026-11-02"); // someone else rewrote the same day
    long main = table.currentSnapshot().snapshotId();

    assertThatThrownBy(
            () -> wap.publishBranch("audit_r1").range(DAY2).validateFromSnapshot(base).publish())
        .isInstanceOf(ValidationException.class);
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(main);
    assertThat(table.refs()).containsKeys("main", "audit_r1");
  }

  @Test
  void exactlyTheAuditedSnapshotIsPublishedAndABranchThatMovedIsRefused() {
    appendToMain("2026-11-02");
    long base = table.currentSnapshot().snapshotId();
    WriteAuditPublish wap = WriteAuditPublish.on(table);
    wap.openBranch("audit_r1").fromSnapshot(base).clearing(DAY2).commit();
    appendToBranch("audit_r1", "2026-11-02");
    long audited = table.refs().get("audit_r1").snapshotId();
    appendToBranch("audit_r1", "2026-11-03"); // written after the audit

    assertThatThrownBy(
            () ->
                wap.publishBranch("audit_r1")
                    .range(DAY2)
                    .validateFromSnapshot(base)
                    .audited(audited)
                    .publish())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("moved after its audit (audited snapshot " + audited);
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(base);
    assertThat(table.refs()).containsKeys("main", "audit_r1");

    // Audited at its head: main moves to exactly that snapshot, the branch goes, one commit.
    long head = table.refs().get("audit_r1").snapshotId();
    int before = metadataVersions();
    assertThat(
            wap.publishBranch("audit_r1")
                .range(DAY2)
                .validateFromSnapshot(base)
                .audited(head)
                .publish())
        .isEqualTo(PublishBranch.Mode.FAST_FORWARD);
    assertThat(metadataVersions()).isEqualTo(before + 1);
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(head);
    assertThat(table.refs()).containsOnlyKeys("main");
  }

  @Test
  void aCommitToTheBranchDuringThePublishMakesItRefusedWithMainUntouched() {
    appendToMain("2026-11-02");
    long base = table.currentSnapshot().snapshotId();
    WriteAuditPublish.on(table).openBranch("audit_r1").fromSnapshot(base).clearing(DAY2).commit();
    appendToBranch("audit_r1", "2026-11-02");
    long audited = table.refs().get("audit_r1").snapshotId();
    // Another writer commits to the branch after every check, just before the publish's commit.
    org.apache.iceberg.TableOperations real =
        ((org.apache.iceberg.HasTableOperations) table).operations();
    boolean[] raced = new boolean[1];
    org.apache.iceberg.TableOperations racing =
        new org.apache.iceberg.TableOperations() {
          @Override
          public org.apache.iceberg.TableMetadata current() {
            return real.current();
          }

          @Override
          public org.apache.iceberg.TableMetadata refresh() {
            return real.refresh();
          }

          @Override
          public void commit(
              org.apache.iceberg.TableMetadata before, org.apache.iceberg.TableMetadata after) {
            if (!raced[0]) {
              raced[0] = true;
              appendToBranch("audit_r1", "2026-11-03");
            }
            real.commit(before, after);
          }

          @Override
          public org.apache.iceberg.io.FileIO io() {
            return real.io();
          }

          @Override
          public String metadataFileLocation(String fileName) {
            return real.metadataFileLocation(fileName);
          }

          @Override
          public org.apache.iceberg.io.LocationProvider locationProvider() {
            return real.locationProvider();
          }
        };
    Table publishing = new org.apache.iceberg.BaseTable(racing, table.name());

    assertThatThrownBy(
            () ->
                WriteAuditPublish.on(publishing)
                    .publishBranch("audit_r1")
                    .range(DAY2)
                    .validateFromSnapshot(base)
                    .audited(audited)
                    .publish())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("moved after its audit (audited snapshot " + audited);
    assertThat(raced[0]).isTrue();
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(base);
    assertThat(table.refs().get("audit_r1").snapshotId()).isNotEqualTo(audited);
  }

  @Test
  void publishingAMissingBranchSaysSo() {
    assertThatThrownBy(() -> WriteAuditPublish.on(table).publishBranch("audit_x").apply())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no branch audit_x");
  }
}
