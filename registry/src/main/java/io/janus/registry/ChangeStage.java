package io.janus.registry;

import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.registry.internal.RegistryTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PendingUpdate;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * A stage change of one model version, pending. Promoting to production demotes the model's current
 * production version to staging in the same commit, so there is never more than one; archiving
 * removes the tags that pinned the version's snapshots. Archived versions never change again.
 */
public final class ChangeStage implements PendingUpdate<ModelVersion> {
  private final ModelRegistry registry;
  private final String model;
  private final String version;
  private final Stage to;
  private String reason;

  ChangeStage(ModelRegistry registry, String model, String version, Stage to) {
    this.registry = registry;
    this.model = model;
    this.version = version;
    this.to = to;
  }

  /** Records why (shown in the version's history). */
  public ChangeStage because(String why) {
    this.reason = why;
    return this;
  }

  /** The version as it would be after the change (nothing is written); refuses invalid moves. */
  @Override
  public ModelVersion apply() {
    ModelVersion current = registry.resolve(model + "@" + version);
    check(current);
    return withStage(current, to);
  }

  @Override
  public void commit() {
    change();
  }

  /**
   * Commits the change and returns the version as it is now.
   *
   * @return the changed version
   */
  public ModelVersion change() {
    String by = Lineage.currentUser();
    registry
        .log()
        .change(
            model,
            read -> {
              List<ModelVersion> versions = ModelRegistry.fold(read.rows());
              ModelVersion current =
                  versions.stream()
                      .filter(v -> v.version().equals(version))
                      .findFirst()
                      .orElseThrow(
                          () ->
                              new IllegalArgumentException(
                                  "model " + model + " has no version " + version));
              check(current);
              List<Map<String, Object>> rows = new ArrayList<>();
              if (to == Stage.PRODUCTION) {
                for (ModelVersion v : versions) {
                  if (v.stage() == Stage.PRODUCTION && !v.version().equals(version)) {
                    rows.add(row(v.version(), Stage.STAGING, by, "superseded by " + version));
                  }
                }
              }
              rows.add(row(version, to, by, reason));
              return new RegistryTable.Outcome<>(rows, current);
            },
            Map.of("janus.registry.event", to.label() + " " + model + "@" + version));
    ModelVersion changed = registry.resolve(model + "@" + version);
    if (to == Stage.ARCHIVED) {
      String tag = ModelRegistry.tag(model, version);
      registry.unpin(TrainingSet.id(changed.trainingSet()), tag);
      for (ModelVersion.FeatureSnapshot f : changed.features())
        registry.unpin(TableIdentifier.parse(f.table()), f.tag());
    }
    return changed;
  }

  private void check(ModelVersion current) {
    if (current.stage() == Stage.ARCHIVED) {
      throw new IllegalStateException(
          current.ref()
              + " is archived and cannot be "
              + (to == Stage.ARCHIVED ? "archived again" : "promoted to " + to.label())
              + "; register the artifact again for a new version");
    }
    if (current.stage() == to) {
      throw new IllegalStateException(current.ref() + " is already " + to.label());
    }
  }

  private static Map<String, Object> row(String version, Stage stage, String by, String reason) {
    Map<String, Object> row = new HashMap<>();
    row.put("version", version);
    row.put("event", "stage");
    row.put("stage", stage.label());
    row.put("by", by);
    row.put("reason", reason);
    return row;
  }

  private static ModelVersion withStage(ModelVersion v, Stage stage) {
    return new ModelVersion(
        v.model(),
        v.version(),
        stage,
        v.sha256(),
        v.artifact(),
        v.trainingSet(),
        v.trainingSnapshotId(),
        v.features(),
        v.metrics(),
        v.params(),
        v.gitCommit(),
        v.registeredBy(),
        v.registeredAt(),
        v.history());
  }
}
