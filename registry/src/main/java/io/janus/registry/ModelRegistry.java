package io.janus.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.Warehouse;
import io.janus.registry.internal.Artifacts;
import io.janus.registry.internal.RegistryTable;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;

/**
 * The model registry: versions of models with their artifacts, metrics and parameters, each bound
 * to the training set it was trained on and, through it, to every feature-table snapshot it used.
 *
 * <p>Storage is the Iceberg table {@code janus.model_registry} (an append-only log, safe under
 * concurrent writers: see {@link RegistryTable}); artifacts are stored content-addressed by their
 * SHA-256 next to it and re-checked on every {@link #load}. While a version is not archived,
 * Iceberg tags ({@link #tag}) pin the training set's and the feature tables' snapshots, so snapshot
 * expiry never removes what the version was trained on.
 *
 * <p>Changes follow Iceberg's {@code PendingUpdate}: {@link #register} and {@link #promote} return
 * an update whose {@code apply()} shows the result without committing.
 */
public final class ModelRegistry {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final Warehouse warehouse;
  private final RegistryTable log;
  private final Artifacts artifacts;

  private ModelRegistry(Warehouse warehouse, RegistryTable log) {
    this.warehouse = warehouse;
    this.log = log;
    this.artifacts = new Artifacts(log.table().io(), artifactLocation(log.table()));
  }

  /** Table property overriding where artifacts are stored. */
  public static final String ARTIFACT_LOCATION = "janus.artifact-location";

  /**
   * Where artifacts live: the registry table's {@link #ARTIFACT_LOCATION} property, else {@code
   * model_artifacts} next to the table's own directory. Never inside the table's location, where
   * orphan-file removal would take them for files no snapshot references.
   */
  private static String artifactLocation(Table table) {
    String configured = table.properties().get(ARTIFACT_LOCATION);
    if (configured != null) return configured;
    String location = table.location().replaceAll("/+$", "");
    return location.substring(0, location.lastIndexOf('/')) + "/model_artifacts";
  }

  /**
   * The registry of {@code warehouse} (its table is created on first use).
   *
   * @param warehouse the warehouse
   * @return the registry
   */
  public static ModelRegistry open(Warehouse warehouse) {
    return new ModelRegistry(warehouse, RegistryTable.open(warehouse));
  }

  /** The registry's table. */
  public static TableIdentifier table() {
    return RegistryTable.ID;
  }

  /**
   * Starts registering a new version of {@code model}.
   *
   * @param model the model's name: lower-case letters, digits and _
   * @return the pending registration
   */
  public RegisterVersion register(String model) {
    requireName(model);
    return new RegisterVersion(this, model);
  }

  /**
   * Starts moving {@code model@version} to {@code stage} (staging or production; production demotes
   * the model's current production version to staging).
   *
   * @param model the model
   * @param version its version
   * @param stage the new stage
   * @return the pending change
   */
  public ChangeStage promote(String model, String version, Stage stage) {
    if (stage != Stage.STAGING && stage != Stage.PRODUCTION) {
      throw new IllegalArgumentException(
          "promote --to takes staging or production, not " + stage.label());
    }
    return new ChangeStage(this, model, SemanticVersion.parse(version).toString(), stage);
  }

  /**
   * Starts archiving {@code model@version}: it can no longer be promoted and its snapshots are no
   * longer pinned.
   *
   * @param model the model
   * @param version its version
   * @return the pending change
   */
  public ChangeStage archive(String model, String version) {
    return new ChangeStage(this, model, SemanticVersion.parse(version).toString(), Stage.ARCHIVED);
  }

  /** Every version of every model, by model then version. */
  public List<ModelVersion> list() {
    return fold(log.read(null).rows());
  }

  /**
   * Every version of {@code model}, oldest first.
   *
   * @param model the model
   * @return its versions (empty when unknown)
   */
  public List<ModelVersion> versions(String model) {
    return fold(log.read(model).rows());
  }

  /**
   * The version {@code ref} names: {@code MODEL} or {@code MODEL@latest} (the highest version),
   * {@code MODEL@production}, {@code MODEL@staging}, or {@code MODEL@1.2.3}.
   *
   * @param ref the reference
   * @return the version
   * @throws IllegalArgumentException when there is no such version
   */
  public ModelVersion resolve(String ref) {
    int at = ref.indexOf('@');
    String model = at < 0 ? ref : ref.substring(0, at);
    String which = at < 0 ? "latest" : ref.substring(at + 1);
    List<ModelVersion> versions = versions(model);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("model '" + model + "' is not registered");
    }
    Optional<ModelVersion> found =
        switch (which.toLowerCase()) {
          case "latest" -> Optional.of(versions.get(versions.size() - 1));
          case "production", "staging" ->
              versions.stream()
                  .filter(v -> v.stage() == Stage.of(which))
                  .reduce((a, b) -> b); // the newest, for staging
          default -> {
            String v = SemanticVersion.parse(which).toString();
            yield versions.stream().filter(x -> x.version().equals(v)).findFirst();
          }
        };
    return found.orElseThrow(
        () ->
            new IllegalArgumentException(
                "model "
                    + model
                    + " has no version "
                    + which
                    + " (versions: "
                    + String.join(
                        ", ",
                        versions.stream().map(v -> v.version() + " " + v.stage().label()).toList())
                    + ")"));
  }

  /**
   * The artifact of {@code version}, after checking that its SHA-256 is the registered one.
   *
   * @param version the version
   * @return the artifact's bytes
   * @throws TamperedArtifactException when the stored bytes differ from what was registered
   */
  public byte[] load(ModelVersion version) {
    byte[] bytes;
    try {
      bytes = artifacts.read(version.artifact());
    } catch (Artifacts.Corrupt e) {
      throw new TamperedArtifactException(version, "unknown: " + e.getMessage());
    }
    String actual = Artifacts.sha256(bytes);
    if (!actual.equals(version.sha256())) {
      throw new TamperedArtifactException(version, actual);
    }
    return bytes;
  }

  /**
   * Checks the stored artifact of {@code version} against its registered SHA-256.
   *
   * @param version the version
   * @return what was found
   */
  public Verification verify(ModelVersion version) {
    String actual;
    try {
      actual = Artifacts.sha256(artifacts.read(version.artifact()));
    } catch (Artifacts.Corrupt e) {
      actual = "unknown: " + e.getMessage();
    } catch (IllegalStateException | UncheckedIOException e) {
      actual = null;
    }
    List<String> missingTags = new ArrayList<>();
    if (version.stage() != Stage.ARCHIVED) {
      for (ModelVersion.FeatureSnapshot f : version.features()) {
        if (!pinned(TableIdentifier.parse(f.table()), f.tag(), f.snapshotId()))
          missingTags.add(f.table() + "@" + f.tag());
      }
    }
    return new Verification(
        version.ref(),
        version.artifact(),
        version.sha256(),
        actual,
        version.sha256().equals(actual),
        missingTags);
  }

  /**
   * Where {@code version} came from: its training set, every feature snapshot, and the runs (with
   * git commits and definition fingerprints) that wrote them.
   *
   * @param version the version
   * @return the lineage
   */
  public ModelLineage lineage(ModelVersion version) {
    return ModelLineage.of(warehouse, version);
  }

  /** The tag pinning snapshots for {@code model@version}, e.g. {@code model_churn_v1_0_2}. */
  public static String tag(String model, String version) {
    return "model_" + model + "_v" + version.replace('.', '_');
  }

  Warehouse warehouse() {
    return warehouse;
  }

  RegistryTable log() {
    return log;
  }

  Artifacts artifacts() {
    return artifacts;
  }

  /** Creates {@code tag} on {@code id} at {@code snapshotId} (nothing when it is there already). */
  void pin(TableIdentifier id, String tag, long snapshotId) {
    Table t = warehouse.load(id);
    if (t.snapshot(snapshotId) == null) {
      throw new IllegalStateException(
          "table " + id + " no longer has snapshot " + snapshotId + " (expired?)");
    }
    var ref = t.refs().get(tag);
    if (ref != null && ref.snapshotId() == snapshotId) return;
    if (ref != null) t.manageSnapshots().replaceTag(tag, snapshotId).commit();
    else t.manageSnapshots().createTag(tag, snapshotId).commit();
  }

  void unpin(TableIdentifier id, String tag) {
    if (!warehouse.exists(id)) return;
    Table t = warehouse.load(id);
    if (t.refs().containsKey(tag)) t.manageSnapshots().removeTag(tag).commit();
  }

  private boolean pinned(TableIdentifier id, String tag, long snapshotId) {
    if (!warehouse.exists(id)) return false;
    var ref = warehouse.load(id).refs().get(tag);
    return ref != null && ref.isTag() && ref.snapshotId() == snapshotId;
  }

  /** The training set's table and current snapshot, and the feature snapshots it recorded. */
  record TrainingFacts(
      TableIdentifier table, Snapshot snapshot, List<ModelVersion.FeatureSnapshot> features) {}

  TrainingFacts trainingFacts(String trainingSet, String tag) {
    TableIdentifier id = TrainingSet.id(trainingSet);
    Snapshot s = TrainingSet.load(warehouse, trainingSet).currentSnapshot();
    List<ModelVersion.FeatureSnapshot> features = new ArrayList<>();
    for (String g : s.summary().get(TrainingSet.GROUPS).split(",")) {
      String p = "janus.training." + g;
      features.add(
          new ModelVersion.FeatureSnapshot(
              g,
              s.summary().get(p + ".table"),
              Long.parseLong(s.summary().get(p + ".snapshot-id")),
              s.summary().get(p + ".fingerprint"),
              tag));
    }
    return new TrainingFacts(id, s, features);
  }

  static void requireName(String model) {
    if (model == null || !NAME.matcher(model).matches()) {
      throw new IllegalArgumentException(
          "model name '"
              + model
              + "' must be lower-case letters, digits and _, starting with a letter");
    }
  }

  /** The current state of each version, folded from the log (rows ordered by model, seq). */
  static List<ModelVersion> fold(List<Record> rows) {
    Map<String, Map<SemanticVersion, Builder>> byModel = new TreeMap<>();
    for (Record r : rows) {
      String model = (String) r.getField("model");
      SemanticVersion v = SemanticVersion.parse((String) r.getField("version"));
      Map<SemanticVersion, Builder> versions = byModel.computeIfAbsent(model, m -> new TreeMap<>());
      if ("register".equals(r.getField("event"))) {
        versions.put(v, new Builder(r));
      } else {
        Builder b = versions.get(v);
        if (b != null) b.change(r);
      }
    }
    List<ModelVersion> out = new ArrayList<>();
    byModel.values().forEach(vs -> vs.values().forEach(b -> out.add(b.build())));
    return out;
  }

  /** A version folded from its registration and stage changes. */
  private static final class Builder {
    private final Record registered;
    private Stage stage;
    private final List<ModelVersion.StageChange> history = new ArrayList<>();

    Builder(Record r) {
      this.registered = r;
      this.stage = Stage.of((String) r.getField("stage"));
    }

    void change(Record r) {
      stage = Stage.of((String) r.getField("stage"));
      history.add(
          new ModelVersion.StageChange(
              stage,
              (String) r.getField("by"),
              ((OffsetDateTime) r.getField("at")).toInstant(),
              (String) r.getField("reason")));
    }

    ModelVersion build() {
      Record r = registered;
      try {
        return new ModelVersion(
            (String) r.getField("model"),
            (String) r.getField("version"),
            stage,
            (String) r.getField("sha256"),
            (String) r.getField("artifact"),
            (String) r.getField("training_set"),
            (Long) r.getField("training_snapshot_id"),
            JSON.readValue(
                (String) r.getField("features"),
                new TypeReference<List<ModelVersion.FeatureSnapshot>>() {}),
            JSON.readValue(
                (String) r.getField("metrics"),
                new TypeReference<LinkedHashMap<String, Double>>() {}),
            JSON.readValue(
                (String) r.getField("params"),
                new TypeReference<LinkedHashMap<String, String>>() {}),
            (String) r.getField("git_commit"),
            (String) r.getField("by"),
            ((OffsetDateTime) r.getField("at")).toInstant(),
            List.copyOf(history));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(
            "registry row of " + r.getField("model") + " is corrupt", e);
      }
    }
  }
}
