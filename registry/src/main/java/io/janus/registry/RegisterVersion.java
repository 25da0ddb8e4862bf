package io.janus.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.registry.internal.Artifacts;
import io.janus.registry.internal.RegistryTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PendingUpdate;

/**
 * A new version of a model, pending: {@link #apply()} shows the version it would get; {@link
 * #register()} stores the artifact (content-addressed), appends the version to the registry and
 * pins the training set's and feature tables' snapshots with the version's tag.
 */
public final class RegisterVersion implements PendingUpdate<ModelVersion> {
  private final ModelRegistry registry;
  private final String model;
  private byte[] artifact;
  private String extension = ".onnx";
  private String trainingSet;
  private final Map<String, Double> metrics = new LinkedHashMap<>();
  private final Map<String, String> params = new LinkedHashMap<>();
  private SemanticVersion.Bump bump = SemanticVersion.Bump.PATCH;
  private Path workingDir = Path.of("");

  RegisterVersion(ModelRegistry registry, String model) {
    this.registry = registry;
    this.model = model;
  }

  /** The artifact file (its extension is kept in storage). */
  public RegisterVersion artifact(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--artifact " + file + ": no such file");
    }
    try {
      this.artifact = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("--artifact " + file + ": cannot read", e);
    }
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    this.extension = dot < 0 ? "" : name.substring(dot);
    return this;
  }

  /** The artifact's bytes, stored with extension {@code ext} (e.g. {@code .onnx}). */
  public RegisterVersion artifact(byte[] bytes, String ext) {
    this.artifact = bytes.clone();
    this.extension = ext;
    return this;
  }

  /** The training set ({@code training.<name>}) the model was trained on. */
  public RegisterVersion trainingSet(String name) {
    this.trainingSet = name;
    return this;
  }

  /** Records a measured figure. */
  public RegisterVersion metric(String name, double value) {
    metrics.put(name, value);
    return this;
  }

  /** Records a training parameter. */
  public RegisterVersion param(String name, String value) {
    params.put(name, value);
    return this;
  }

  /** Which part of the version to raise (default the patch). */
  public RegisterVersion bump(SemanticVersion.Bump part) {
    this.bump = part;
    return this;
  }

  /** Directory where the git commit is looked up (the repository around it). */
  public RegisterVersion withWorkingDir(Path dir) {
    this.workingDir = dir;
    return this;
  }

  /** The version this registration would create as the registry is now (nothing is written). */
  @Override
  public ModelVersion apply() {
    check();
    SemanticVersion next = next(registry.versions(model));
    String sha = Artifacts.sha256(artifact);
    return version(
        next,
        registry.trainingFacts(trainingSet, ModelRegistry.tag(model, next.toString())),
        sha,
        registry.artifacts().location(sha, extension));
  }

  @Override
  public void commit() {
    register();
  }

  /**
   * Registers the version and returns it.
   *
   * @return the registered version
   */
  public ModelVersion register() {
    check();
    String sha = Artifacts.sha256(artifact);
    String location = registry.artifacts().store(artifact, extension);
    Lineage lineage = Lineage.capture("registry", "registry", null, null, workingDir);
    ModelVersion v =
        registry
            .log()
            .change(
                model,
                read -> {
                  SemanticVersion next = next(ModelRegistry.fold(read.rows()));
                  String tag = ModelRegistry.tag(model, next.toString());
                  ModelRegistry.TrainingFacts facts = registry.trainingFacts(trainingSet, tag);
                  ModelVersion mv = version(next, facts, sha, location);
                  Map<String, Object> row = new HashMap<>();
                  row.put("version", mv.version());
                  row.put("event", "register");
                  row.put("stage", Stage.NONE.label());
                  row.put("at", OffsetDateTime.ofInstant(mv.registeredAt(), ZoneOffset.UTC));
                  row.put("by", mv.registeredBy());
                  row.put("sha256", sha);
                  row.put("artifact", location);
                  row.put("training_set", trainingSet);
                  row.put("training_snapshot_id", mv.trainingSnapshotId());
                  row.put("features", json(mv.features()));
                  row.put("metrics", json(mv.metrics()));
                  row.put("params", json(mv.params()));
                  row.put("git_commit", lineage.gitCommit());
                  return new RegistryTable.Outcome<>(List.of(row), mv);
                },
                Map.of("janus.registry.event", "register " + model));
    try {
      registry.pin(
          io.janus.engine.flink.training.TrainingSet.id(trainingSet),
          ModelRegistry.tag(model, v.version()),
          v.trainingSnapshotId());
      for (ModelVersion.FeatureSnapshot f : v.features()) {
        registry.pin(
            org.apache.iceberg.catalog.TableIdentifier.parse(f.table()), f.tag(), f.snapshotId());
      }
    } catch (RuntimeException e) {
      registry
          .archive(model, v.version())
          .because("could not pin its snapshots: " + e.getMessage())
          .change();
      throw new IllegalStateException(
          v.ref() + " was archived: could not pin its snapshots: " + e.getMessage(), e);
    }
    return registry.resolve(v.ref());
  }

  private void check() {
    if (artifact == null) throw new IllegalArgumentException("no --artifact given");
    if (trainingSet == null) throw new IllegalArgumentException("no --training-set given");
  }

  private SemanticVersion next(List<ModelVersion> versions) {
    return versions.isEmpty()
        ? SemanticVersion.FIRST
        : versions.stream()
            .map(ModelVersion::semanticVersion)
            .max(SemanticVersion::compareTo)
            .orElseThrow()
            .next(bump);
  }

  private ModelVersion version(
      SemanticVersion v, ModelRegistry.TrainingFacts facts, String sha, String location) {
    return new ModelVersion(
        model,
        v.toString(),
        Stage.NONE,
        sha,
        location,
        trainingSet,
        facts.snapshot().snapshotId(),
        facts.features(),
        new LinkedHashMap<>(metrics),
        new LinkedHashMap<>(params),
        null,
        Lineage.currentUser(),
        Instant.now(),
        List.of());
  }

  static String json(Object value) {
    try {
      return ModelRegistry.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
