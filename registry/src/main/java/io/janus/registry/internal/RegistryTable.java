package io.janus.registry.internal;

import io.janus.engine.iceberg.SmallWrites;
import io.janus.engine.iceberg.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * The registry's storage: an append-only event log in the Iceberg table {@code
 * janus.model_registry}, one row per registration or stage change. A change is decided on a read of
 * one snapshot and committed only if no other writer added rows of the same model since (an Iceberg
 * overwrite validated with {@code conflictDetectionFilter(model = …)}), so concurrent writers never
 * both take a version number or both promote; the loser re-reads and decides again. The table keeps
 * every change, and Iceberg's time travel shows the registry as it was.
 */
public final class RegistryTable {
  /** The registry's table. */
  public static final TableIdentifier ID = Warehouse.id("janus", "model_registry");

  /** The event log's columns. */
  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "model", Types.StringType.get()),
          Types.NestedField.required(2, "version", Types.StringType.get()),
          Types.NestedField.required(3, "seq", Types.LongType.get()),
          Types.NestedField.required(4, "event", Types.StringType.get()),
          Types.NestedField.required(5, "stage", Types.StringType.get()),
          Types.NestedField.required(6, "at", Types.TimestampType.withZone()),
          Types.NestedField.optional(7, "by", Types.StringType.get()),
          Types.NestedField.optional(8, "reason", Types.StringType.get()),
          Types.NestedField.optional(9, "sha256", Types.StringType.get()),
          Types.NestedField.optional(10, "artifact", Types.StringType.get()),
          Types.NestedField.optional(11, "training_set", Types.StringType.get()),
          Types.NestedField.optional(12, "training_snapshot_id", Types.LongType.get()),
          Types.NestedField.optional(13, "features", Types.StringType.get()),
          Types.NestedField.optional(14, "metrics", Types.StringType.get()),
          Types.NestedField.optional(15, "params", Types.StringType.get()),
          Types.NestedField.optional(16, "git_commit", Types.StringType.get()));

  /** Attempts before a change that keeps losing to concurrent writers gives up. */
  private static final int ATTEMPTS = 50;

  private final Table table;

  private RegistryTable(Table table) {
    this.table = table;
  }

  /**
   * The registry table of {@code warehouse}, created on first use.
   *
   * @param warehouse the warehouse
   * @return the table
   */
  public static RegistryTable open(Warehouse warehouse) {
    return new RegistryTable(warehouse.createOrLoad(ID, SCHEMA, PartitionSpec.unpartitioned()));
  }

  /** The Iceberg table (artifacts are stored under its location, through its file IO). */
  public Table table() {
    return table;
  }

  /** A read of the log at one snapshot: the rows of one model or of all, in order. */
  public record Read(Long snapshotId, List<Record> rows) {}

  /**
   * The rows of {@code model} (every model when null) at the current snapshot, by model and seq.
   *
   * @param model a model name, or null for all
   * @return the read
   */
  public Read read(String model) {
    table.refresh();
    Snapshot s = table.currentSnapshot();
    List<Record> rows = new ArrayList<>();
    if (s != null) {
      try (CloseableIterable<Record> it =
          IcebergGenerics.read(table)
              .useSnapshot(s.snapshotId())
              .where(model == null ? Expressions.alwaysTrue() : Expressions.equal("model", model))
              .build()) {
        for (Record r : it) rows.add(r.copy());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    rows.sort(
        Comparator.comparing((Record r) -> (String) r.getField("model"))
            .thenComparing(r -> (Long) r.getField("seq")));
    return new Read(s == null ? null : s.snapshotId(), rows);
  }

  /** Decides the rows to append from a read of one model's log. */
  @FunctionalInterface
  public interface Decision<T> {
    /**
     * @param read the model's rows at one snapshot
     * @return what to append and what to return
     */
    Outcome<T> decide(Read read);
  }

  /** Rows to append (each a field map, {@code seq} filled in here) and the caller's result. */
  public record Outcome<T>(List<Map<String, Object>> rows, T result) {}

  /**
   * Reads {@code model}'s log, lets {@code decision} choose rows, and appends them unless another
   * writer added rows of the model meanwhile, in which case it reads and decides again.
   *
   * @param model the model
   * @param decision what to write given the current log (may throw to refuse)
   * @param summary properties of the snapshot
   * @return the decision's result
   */
  public <T> T change(String model, Decision<T> decision, Map<String, String> summary) {
    Expression mine = Expressions.equal("model", model);
    RuntimeException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Read read = read(model);
      Outcome<T> out = decision.decide(read);
      long seq = read.rows().stream().mapToLong(r -> (Long) r.getField("seq")).max().orElse(0);
      List<Record> records = new ArrayList<>();
      for (Map<String, Object> fields : out.rows()) {
        GenericRecord r = GenericRecord.create(SCHEMA);
        fields.forEach(r::setField);
        r.setField("model", model);
        r.setField("seq", ++seq);
        if (r.getField("at") == null) r.setField("at", OffsetDateTime.now());
        records.add(r);
      }
      DataFile file = SmallWrites.dataFile(table, records);
      OverwriteFiles op =
          table
              .newOverwrite()
              .addFile(file)
              .conflictDetectionFilter(mine)
              .validateNoConflictingData();
      if (read.snapshotId() != null) op.validateFromSnapshot(read.snapshotId());
      summary.forEach(op::set);
      try {
        op.commit();
        return out.result();
      } catch (ValidationException | CommitFailedException e) {
        // Another writer changed this model (or kept winning the table's commit): decide again on
        // the new log.
        last = e;
        table.io().deleteFile(file.location());
        try {
          Thread.sleep(5 + (long) (Math.random() * 20 * (attempt + 1)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while retrying a registry change", ie);
        }
      }
    }
    throw new IllegalStateException(
        "registry change of " + model + " kept conflicting with other writers", last);
  }
}
