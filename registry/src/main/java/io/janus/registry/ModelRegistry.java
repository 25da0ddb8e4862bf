package io.janus.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;

/**
 * Binds model versions to feature-table snapshots with Iceberg tags named {@code
 * model_<name>_v<version>}. A tag keeps its snapshot readable (time travel) and protects it from
 * snapshot expiry for as long as the model is registered.
 */
public final class ModelRegistry {
  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]*$");
  private static final Pattern TAG = Pattern.compile("^model_([a-z][a-z0-9_]*)_v(\\d+)$");

  private final Table table;

  public ModelRegistry(Table table) {
    this.table = table;
  }

  /** Binds {@code model} version {@code version} to {@code snapshotId}; a version is bound once. */
  public ModelBinding register(String model, int version, long snapshotId) {
    if (!NAME.matcher(model).matches()) {
      throw new IllegalArgumentException("model name '" + model + "' must match [a-z][a-z0-9_]*");
    }
    if (version < 1) {
      throw new IllegalArgumentException("model version must be >= 1, got " + version);
    }
    if (table.snapshot(snapshotId) == null) {
      throw new IllegalArgumentException(
          "table " + table.name() + " has no snapshot " + snapshotId);
    }
    String tag = tag(model, version);
    table.refresh();
    if (table.refs().containsKey(tag)) {
      throw new IllegalStateException(
          model
              + " v"
              + version
              + " is already bound to snapshot "
              + table.refs().get(tag).snapshotId());
    }
    table.manageSnapshots().createTag(tag, snapshotId).commit();
    return new ModelBinding(model, version, table.name(), snapshotId, tag);
  }

  /** The binding of a model version, if registered. */
  public Optional<ModelBinding> resolve(String model, int version) {
    table.refresh();
    SnapshotRef ref = table.refs().get(tag(model, version));
    return ref == null
        ? Optional.empty()
        : Optional.of(
            new ModelBinding(model, version, table.name(), ref.snapshotId(), tag(model, version)));
  }

  /** Every model binding on this table. */
  public List<ModelBinding> list() {
    table.refresh();
    List<ModelBinding> out = new ArrayList<>();
    for (Map.Entry<String, SnapshotRef> e : table.refs().entrySet()) {
      Matcher m = TAG.matcher(e.getKey());
      if (e.getValue().isTag() && m.matches()) {
        out.add(
            new ModelBinding(
                m.group(1),
                Integer.parseInt(m.group(2)),
                table.name(),
                e.getValue().snapshotId(),
                e.getKey()));
      }
    }
    out.sort(
        (a, b) ->
            a.model().equals(b.model())
                ? Integer.compare(a.version(), b.version())
                : a.model().compareTo(b.model()));
    return out;
  }

  /** Removes a binding (the snapshot may then be expired by maintenance). */
  public void unregister(String model, int version) {
    String tag = tag(model, version);
    table.refresh();
    if (!table.refs().containsKey(tag)) {
      throw new IllegalArgumentException(
          model + " v" + version + " is not registered on " + table.name());
    }
    table.manageSnapshots().removeTag(tag).commit();
  }

  static String tag(String model, int version) {
    return "model_" + model + "_v" + version;
  }
}
