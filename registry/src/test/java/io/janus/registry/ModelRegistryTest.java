package io.janus.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bindings are tags on a real Iceberg table and survive new commits. */
class ModelRegistryTest {
  @TempDir Path dir;

  private static void append(Table t, String name) {
    DataFile f =
        DataFiles.builder(PartitionSpec.unpartitioned())
            .withPath(t.location() + "/data/" + name + ".parquet")
            .withFileSizeInBytes(10)
            .withRecordCount(1)
            .build();
    t.newAppend().appendFile(f).commit();
  }

  @Test
  void bindsResolvesListsAndUnbinds() {
    HadoopCatalog catalog = new HadoopCatalog(new Configuration(), dir.toUri().toString());
    Table t =
        catalog.createTable(
            TableIdentifier.of("features", "g"),
            new Schema(Types.NestedField.required(1, "k", Types.StringType.get())),
            PartitionSpec.unpartitioned(),
            Map.of("format-version", "2"));
    append(t, "a");
    long first = t.currentSnapshot().snapshotId();
    ModelRegistry registry = new ModelRegistry(t);
    ModelBinding b = registry.register("ctr_model", 1, first);
    append(t, "b");
    registry.register("ctr_model", 2, t.currentSnapshot().snapshotId());

    assertThat(registry.resolve("ctr_model", 1)).contains(b);
    assertThat(registry.list()).extracting(ModelBinding::version).containsExactly(1, 2);
    assertThat(
            catalog
                .loadTable(TableIdentifier.of("features", "g"))
                .refs()
                .get("model_ctr_model_v1")
                .snapshotId())
        .isEqualTo(first);
    assertThatThrownBy(() -> registry.register("ctr_model", 1, first))
        .hasMessageContaining("already bound");
    assertThatThrownBy(() -> registry.register("Bad-Name", 1, first))
        .hasMessageContaining("must match");
    assertThatThrownBy(() -> registry.register("m", 1, 42L)).hasMessageContaining("no snapshot 42");
    registry.unregister("ctr_model", 1);
    assertThat(registry.resolve("ctr_model", 1)).isEmpty();
  }
}
