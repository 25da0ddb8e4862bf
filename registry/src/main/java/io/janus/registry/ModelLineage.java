package io.janus.registry;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Where a model version came from: model → training set → feature snapshots → the runs that wrote
 * them, with their git commits and definition fingerprints. Serialized by Jackson as the {@code
 * janus registry lineage --json} object.
 *
 * @param model the model
 * @param version its version
 * @param stage its stage
 * @param sha256 the artifact's hash
 * @param trainingSet the training set it was trained on
 * @param features each feature snapshot the training set read
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelLineage(
    String model,
    String version,
    Stage stage,
    String sha256,
    TrainingSetSource trainingSet,
    List<FeatureSource> features) {

  /**
   * The training set.
   *
   * @param name its name
   * @param table its table
   * @param snapshotId the snapshot the model was trained on
   * @param spine where its spine came from
   * @param runId the training-set run
   * @param gitCommit the commit it ran from
   * @param tag the tag pinning the snapshot (null once archived)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TrainingSetSource(
      String name,
      String table,
      long snapshotId,
      String spine,
      String runId,
      String gitCommit,
      String tag) {}

  /**
   * A feature snapshot and the runs behind it.
   *
   * @param group the group
   * @param table its table
   * @param snapshotId the snapshot read
   * @param fingerprint the group definition's fingerprint
   * @param tag the tag pinning it (null once archived or when missing)
   * @param runs the runs whose commits the snapshot contains, newest first
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record FeatureSource(
      String group,
      String table,
      long snapshotId,
      String fingerprint,
      String tag,
      List<Run> runs) {}

  /**
   * A Janus run that committed to a feature table.
   *
   * @param runId its id
   * @param job backfill, stream, …
   * @param range the days it rewrote, when a backfill
   * @param gitCommit the commit it ran from
   * @param fingerprint the definition's fingerprint at the time
   * @param snapshotId its newest snapshot in the history
   * @param committedAt when that snapshot was committed
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Run(
      String runId,
      String job,
      String range,
      String gitCommit,
      String fingerprint,
      long snapshotId,
      Instant committedAt) {}

  static ModelLineage of(Warehouse warehouse, ModelVersion v) {
    String tag = ModelRegistry.tag(v.model(), v.version());
    TableIdentifier tid = TrainingSet.id(v.trainingSet());
    TrainingSetSource ts;
    if (warehouse.exists(tid)) {
      Table t = warehouse.load(tid);
      Snapshot s = t.snapshot(v.trainingSnapshotId());
      Map<String, String> sum = s == null ? Map.of() : s.summary();
      ts =
          new TrainingSetSource(
              v.trainingSet(),
              tid.toString(),
              v.trainingSnapshotId(),
              sum.get(TrainingSet.SPINE),
              sum.get(Lineage.RUN_ID),
              sum.get(Lineage.GIT_COMMIT),
              tagOn(t, tag));
    } else {
      ts =
          new TrainingSetSource(
              v.trainingSet(), tid.toString(), v.trainingSnapshotId(), null, null, null, null);
    }
    List<FeatureSource> features = new ArrayList<>();
    for (ModelVersion.FeatureSnapshot f : v.features()) {
      TableIdentifier id = TableIdentifier.parse(f.table());
      List<Run> runs = new ArrayList<>();
      String pinned = null;
      if (warehouse.exists(id)) {
        Table t = warehouse.load(id);
        pinned = tagOn(t, f.tag());
        Set<String> seen = new LinkedHashSet<>();
        if (t.snapshot(f.snapshotId()) != null) {
          for (Snapshot s : SnapshotUtil.ancestorsOf(f.snapshotId(), t::snapshot)) {
            String run = s.summary().get(Lineage.RUN_ID);
            if (run == null || !seen.add(run)) continue;
            runs.add(
                new Run(
                    run,
                    s.summary().get(Lineage.JOB),
                    s.summary().get(Lineage.RANGE),
                    s.summary().get(Lineage.GIT_COMMIT),
                    s.summary().get(Lineage.FINGERPRINT),
                    s.snapshotId(),
                    Instant.ofEpochMilli(s.timestampMillis())));
          }
        }
      }
      features.add(
          new FeatureSource(
              f.group(), f.table(), f.snapshotId(), f.fingerprint(), pinned, List.copyOf(runs)));
    }
    return new ModelLineage(v.model(), v.version(), v.stage(), v.sha256(), ts, features);
  }

  private static String tagOn(Table t, String tag) {
    var ref = t.refs().get(tag);
    return ref != null && ref.isTag() ? tag : null;
  }
}
