package io.janus.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on a real Iceberg warehouse: versions, lifecycle, pinning tags, hashes, lineage, and
 * concurrent writers (separate catalogs, as separate processes would have).
 */
class ModelRegistryTest {
  static final Schema SCHEMA = new Schema(Types.NestedField.optional(1, "x", Types.LongType.get()));
  static final TableIdentifier FEATURES = TableIdentifier.of("features", "activity");

  @TempDir Path dir;
  Warehouse warehouse;
  Path artifact;
  List<Long> featureSnapshots = new ArrayList<>();
  long trainingSnapshot;

  /** A feature table with three runs, and a training set that read its second snapshot. */
  @BeforeEach
  void tables() throws Exception {
    warehouse = Warehouse.local(dir.resolve("warehouse"));
    Table features = warehouse.createOrLoad(FEATURES, SCHEMA, PartitionSpec.unpartitioned());
    for (int run = 1; run <= 3; run++) {
      features
          .newAppend()
          .set(Lineage.RUN_ID, "run-" + run)
          .set(Lineage.JOB, "backfill")
          .set(Lineage.GIT_COMMIT, "c0ffee" + run)
          .set(Lineage.FINGERPRINT, "fp1")
          .set(Lineage.RANGE, "2024-01-0" + run + "..2024-01-0" + run)
          .commit();
      featureSnapshots.add(features.currentSnapshot().snapshotId());
    }
    trainingSnapshot = trainingSet("ts1", featureSnapshots.get(1));
    artifact = Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
  }

  long trainingSet(String name, long featureSnapshot) {
    Table t = warehouse.createOrLoad(TrainingSet.id(name), SCHEMA, PartitionSpec.unpartitioned());
    t.newAppend()
        .set(TrainingSet.GROUPS, "activity")
        .set(TrainingSet.SPINE, "file:spine.jsonl")
        .set(Lineage.RUN_ID, "ts-run")
        .set("janus.training.activity.table", FEATURES.toString())
        .set("janus.training.activity.snapshot-id", Long.toString(featureSnapshot))
        .set("janus.training.activity.fingerprint", "fp1")
        .set("janus.training.activity.columns", "views_5m")
        .commit();
    return t.currentSnapshot().snapshotId();
  }

  ModelVersion register(ModelRegistry r, SemanticVersion.Bump bump) {
    return r.register("churn")
        .artifact(artifact)
        .trainingSet("ts1")
        .metric("auc", 0.8)
        .param("epochs", "5")
        .bump(bump)
        .register();
  }

  @Test
  void versionsAreSemanticAndPinTheirSnapshots() {
    ModelRegistry r = ModelRegistry.open(warehouse);
    assertThat(r.register("churn").artifact(artifact).trainingSet("ts1").apply().version())
        .isEqualTo("1.0.0");
    ModelVersion v1 = register(r, SemanticVersion.Bump.PATCH);
    assertThat(register(r, SemanticVersion.Bump.PATCH).version()).isEqualTo("1.0.1");
    assertThat(register(r, SemanticVersion.Bump.MINOR).version()).isEqualTo("1.1.0");
    assertThat(register(r, SemanticVersion.Bump.MAJOR).version()).isEqualTo("2.0.0");
    assertThat(register(r, SemanticVersion.Bump.PATCH).version()).isEqualTo("2.0.1");

    assertThat(v1.version()).isEqualTo("1.0.0");
    assertThat(v1.stage()).isEqualTo(Stage.NONE);
    assertThat(v1.sha256())
        .isEqualTo("9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a");
    assertThat(v1.artifact()).endsWith("/janus/model_artifacts/sha256/" + v1.sha256() + ".onnx");
    // Outside the registry table's location, where orphan-file removal would delete it.
    assertThat(v1.artifact())
        .doesNotStartWith(warehouse.load(ModelRegistry.table()).location() + "/");
    assertThat(v1.trainingSnapshotId()).isEqualTo(trainingSnapshot);
    assertThat(v1.features())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.table()).isEqualTo("features.activity");
              assertThat(f.snapshotId()).isEqualTo(featureSnapshots.get(1));
              assertThat(f.tag()).isEqualTo("model_churn_v1_0_0");
            });
    assertThat(v1.metrics()).containsEntry("auc", 0.8);
    assertThat(r.versions("churn")).hasSize(5);
    assertThat(r.resolve("churn").version()).isEqualTo("2.0.1");
    assertThat(r.resolve("churn@1.1.0").version()).isEqualTo("1.1.0");

    Table features = warehouse.load(FEATURES);
    assertThat(features.refs().get("model_churn_v1_0_0").snapshotId())
        .isEqualTo(featureSnapshots.get(1));
    assertThat(warehouse.load(TrainingSet.id("ts1")).refs().get("model_churn_v1_0_0").snapshotId())
        .isEqualTo(trainingSnapshot);
    // One artifact stored, however many versions share it.
    assertThat(r.verify(v1).ok()).isTrue();
  }

  @Test
  void badInputIsRefusedWithOneLine() {
    ModelRegistry r = ModelRegistry.open(warehouse);
    assertThatThrownBy(() -> r.register("Churn!")).hasMessageContaining("model name 'Churn!'");
    assertThatThrownBy(
            () -> r.register("churn").artifact(dir.resolve("missing.onnx")).trainingSet("ts1"))
        .hasMessageContaining("missing.onnx: no such file");
    assertThatThrownBy(() -> r.register("churn").artifact(artifact).trainingSet("nope").register())
        .hasMessageContaining("training set 'nope' does not exist");
    assertThatThrownBy(() -> r.resolve("ghost@1.0.0")).hasMessageContaining("not registered");
    register(r, SemanticVersion.Bump.PATCH);
    assertThatThrownBy(() -> r.resolve("churn@3.0.0")).hasMessageContaining("has no version 3.0.0");
    assertThatThrownBy(() -> r.resolve("churn@production"))
        .hasMessageContaining("has no version production");
  }

  @Test
  void exactlyOneProductionVersionAndArchivedNeverComesBack() {
    ModelRegistry r = ModelRegistry.open(warehouse);
    register(r, SemanticVersion.Bump.PATCH);
    register(r, SemanticVersion.Bump.PATCH);
    r.promote("churn", "1.0.0", Stage.STAGING).change();
    r.promote("churn", "1.0.0", Stage.PRODUCTION).change();
    assertThat(r.resolve("churn@production").version()).isEqualTo("1.0.0");
    ModelVersion v2 = r.promote("churn", "1.0.1", Stage.PRODUCTION).change();
    assertThat(v2.stage()).isEqualTo(Stage.PRODUCTION);
    ModelVersion v1 = r.resolve("churn@1.0.0");
    assertThat(v1.stage()).isEqualTo(Stage.STAGING);
    assertThat(v1.history())
        .extracting(ModelVersion.StageChange::stage)
        .containsExactly(Stage.STAGING, Stage.PRODUCTION, Stage.STAGING);
    assertThat(v1.history().get(2).reason()).isEqualTo("superseded by 1.0.1");

    r.archive("churn", "1.0.0").change();
    assertThat(warehouse.load(FEATURES).refs()).doesNotContainKey("model_churn_v1_0_0");
    assertThat(warehouse.load(FEATURES).refs()).containsKey("model_churn_v1_0_1");
    assertThatThrownBy(() -> r.promote("churn", "1.0.0", Stage.PRODUCTION).change())
        .hasMessageContaining("churn@1.0.0 is archived and cannot be promoted to production");
    assertThatThrownBy(() -> r.archive("churn", "1.0.0").change())
        .hasMessageContaining("archived again");
  }

  @Test
  void pinnedSnapshotsSurviveExpiryUntilArchived() {
    ModelRegistry r = ModelRegistry.open(warehouse);
    ModelVersion v = register(r, SemanticVersion.Bump.PATCH);
    long pinned = featureSnapshots.get(1);
    long unpinned = featureSnapshots.get(0);
    Table features = warehouse.load(FEATURES);
    features
        .expireSnapshots()
        .expireOlderThan(System.currentTimeMillis() + 1)
        .retainLast(1)
        .commit();
    features.refresh();
    assertThat(features.snapshot(pinned)).isNotNull();
    assertThat(features.snapshot(unpinned)).isNull();
    assertThat(r.verify(v).unpinned()).isEmpty();

    r.archive("churn", v.version()).change();
    features.refresh();
    features
        .expireSnapshots()
        .expireOlderThan(System.currentTimeMillis() + 1)
        .retainLast(1)
        .commit();
    features.refresh();
    assertThat(features.snapshot(pinned)).isNull();
  }

  @Test
  void aTamperedArtifactIsRefused() throws Exception {
    ModelRegistry r = ModelRegistry.open(warehouse);
    ModelVersion v = register(r, SemanticVersion.Bump.PATCH);
    assertThat(r.load(v)).containsExactly(1, 2, 3, 4);
    Path stored = Path.of(java.net.URI.create(v.artifact()));
    // Changed in place: the local file system's checksum file no longer matches.
    Files.write(stored, new byte[] {1, 2, 3, 5});
    assertThat(r.verify(v).ok()).isFalse();
    assertThatThrownBy(() -> r.load(v)).isInstanceOf(TamperedArtifactException.class);
    // Replaced whole (no checksum file, as on an object store): the SHA-256 tells.
    Files.deleteIfExists(stored.resolveSibling("." + stored.getFileName() + ".crc"));
    Verification check = r.verify(v);
    assertThat(check.ok()).isFalse();
    assertThat(check.actualSha256()).isNotEqualTo(v.sha256());
    assertThatThrownBy(() -> r.load(v))
        .isInstanceOf(TamperedArtifactException.class)
        .hasMessageContaining("refusing to load a tampered artifact");
  }

  @Test
  void lineageNamesEveryRunBehindTheFeatureSnapshot() {
    ModelRegistry r = ModelRegistry.open(warehouse);
    ModelVersion v = register(r, SemanticVersion.Bump.PATCH);
    ModelLineage l = r.lineage(v);
    assertThat(l.trainingSet().snapshotId()).isEqualTo(trainingSnapshot);
    assertThat(l.trainingSet().runId()).isEqualTo("ts-run");
    assertThat(l.trainingSet().tag()).isEqualTo("model_churn_v1_0_0");
    ModelLineage.FeatureSource f = l.features().get(0);
    assertThat(f.snapshotId()).isEqualTo(featureSnapshots.get(1));
    assertThat(f.tag()).isEqualTo("model_churn_v1_0_0");
    // The pinned snapshot contains runs 2 and 1, not run 3 (committed after it).
    assertThat(f.runs()).extracting(ModelLineage.Run::runId).containsExactly("run-2", "run-1");
    assertThat(f.runs())
        .extracting(ModelLineage.Run::gitCommit)
        .containsExactly("c0ffee2", "c0ffee1");
  }

  /** Four writers with their own catalogs register at once: every version is taken once. */
  @Test
  void concurrentWritersNeverShareAVersion() throws Exception {
    ModelRegistry.open(warehouse); // the table exists before the race
    int writers = 4;
    int each = 6;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<List<String>>> results = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Callable<List<String>> job =
          () -> {
            ModelRegistry own = ModelRegistry.open(Warehouse.local(dir.resolve("warehouse")));
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < each; i++)
              mine.add(register(own, SemanticVersion.Bump.PATCH).version());
            return mine;
          };
      results.add(pool.submit(job));
    }
    Set<String> all = new HashSet<>();
    int reported = 0;
    for (Future<List<String>> f : results) {
      for (String v : f.get()) {
        all.add(v);
        reported++;
      }
    }
    pool.shutdown();
    assertThat(reported).isEqualTo(writers * each);
    assertThat(all).hasSize(writers * each);
    List<ModelVersion> stored = ModelRegistry.open(warehouse).versions("churn");
    assertThat(stored).extracting(ModelVersion::version).containsExactlyInAnyOrderElementsOf(all);
    assertThat(stored.get(stored.size() - 1).version()).isEqualTo("1.0." + (writers * each - 1));

    // Concurrent promotions of different versions: still exactly one production.
    ExecutorService promoters = Executors.newFixedThreadPool(writers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String version = "1.0." + w;
      done.add(
          promoters.submit(
              () ->
                  ModelRegistry.open(Warehouse.local(dir.resolve("warehouse")))
                      .promote("churn", version, Stage.PRODUCTION)
                      .change()));
    }
    for (Future<?> f : done) f.get();
    promoters.shutdown();
    assertThat(ModelRegistry.open(warehouse).versions("churn"))
        .filteredOn(v -> v.stage() == Stage.PRODUCTION)
        .hasSize(1);
  }
}
