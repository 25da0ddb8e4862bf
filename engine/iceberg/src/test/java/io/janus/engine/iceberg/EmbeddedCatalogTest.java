package io.janus.engine.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded catalog: created on first use, Hadoop-catalog tables moved over, object stores. */
class EmbeddedCatalogTest {
  static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  static final TableIdentifier ID = TableIdentifier.of("raw", "clickstream");

  @TempDir Path dir;

  static DataFile file(String name) {
    return DataFiles.builder(PartitionSpec.unpartitioned())
        .withPath("/nowhere/" + name + ".parquet")
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(10)
        .withRecordCount(1)
        .build();
  }

  @Test
  void aWarehouseOfAnEarlierJanusKeepsItsTablesAndHistory() throws Exception {
    HadoopCatalog hadoop = new HadoopCatalog(new Configuration(), dir.toUri().toString());
    Table old = hadoop.createTable(ID, SCHEMA, PartitionSpec.unpartitioned());
    old.newAppend().appendFile(file("a")).commit();
    old.newAppend().appendFile(file("b")).commit();
    List<Long> history = new java.util.ArrayList<>();
    old.snapshots().forEach(snap -> history.add(snap.snapshotId()));

    Table moved = Warehouse.local(dir).load(ID);
    assertThat(moved.snapshots()).extracting(Snapshot::snapshotId).isEqualTo(history);
    assertThat(moved.location()).isEqualTo(old.location());
    moved.newAppend().appendFile(file("c")).commit();

    // A second process opening the directory sees the same table; nothing is moved twice.
    Warehouse again = Warehouse.of(Warehouse.localProperties(dir));
    assertThat(again.load(ID).snapshots()).hasSize(3);
    Path metadata = Path.of(java.net.URI.create(old.location())).resolve("metadata");
    assertThat(metadata.resolve("version-hint.text")).doesNotExist();
    assertThat(metadata.resolve("version-hint.text.migrated")).exists();
    assertThat(dir.resolve("catalog.db")).exists();
  }

  @Test
  void anEmptyDirectoryGetsACatalogAndTablesUnderIt() {
    Warehouse w = Warehouse.local(dir.resolve("wh"));
    Table t = w.createOrLoad(ID, SCHEMA, PartitionSpec.unpartitioned());
    assertThat(t.location()).isEqualTo(dir.resolve("wh").toUri() + "raw/clickstream");
    assertThat(Files.exists(dir.resolve("wh").resolve("catalog.db"))).isTrue();
  }

  @Test
  void aHadoopCatalogOnObjectStorageIsRefusedWithItsReason() {
    assertThatThrownBy(() -> Warehouse.of(Map.of("type", "hadoop", "warehouse", "s3://bucket/wh")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a Hadoop catalog cannot live on object storage (s3://bucket/wh): its commits need an"
                + " atomic rename, which s3:// lacks, so concurrent commits get lost; use catalog"
                + " type rest or jdbc");
    assertThatThrownBy(() -> Warehouse.of(Map.of("warehouse", "gs://bucket/wh")))
        .hasMessageContaining("gs:// lacks");
  }
}
