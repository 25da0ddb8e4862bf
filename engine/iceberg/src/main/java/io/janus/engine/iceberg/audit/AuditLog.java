package io.janus.engine.iceberg.audit;

import io.janus.engine.iceberg.SmallWrites;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * The audit log table {@code janus.audit_log}: one row per backfill run with its outcome and
 * report.
 */
public final class AuditLog {
  public static final TableIdentifier ID = Warehouse.id("janus", "audit_log");

  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "run_id", Types.StringType.get()),
          Types.NestedField.required(2, "group_name", Types.StringType.get()),
          Types.NestedField.required(3, "definition", Types.StringType.get()),
          Types.NestedField.required(4, "fingerprint", Types.StringType.get()),
          Types.NestedField.required(5, "range_start", Types.DateType.get()),
          Types.NestedField.required(6, "range_end", Types.DateType.get()),
          Types.NestedField.required(7, "branch", Types.StringType.get()),
          Types.NestedField.optional(8, "branch_snapshot_id", Types.LongType.get()),
          Types.NestedField.required(9, "passed", Types.BooleanType.get()),
          Types.NestedField.required(10, "published", Types.BooleanType.get()),
          Types.NestedField.optional(11, "main_snapshot_id", Types.LongType.get()),
          Types.NestedField.required(12, "rows", Types.LongType.get()),
          Types.NestedField.optional(13, "failures", Types.StringType.get()),
          Types.NestedField.required(14, "report", Types.StringType.get()),
          Types.NestedField.required(15, "audited_at", Types.TimestampType.withZone()),
          Types.NestedField.optional(16, "git_commit", Types.StringType.get()),
          Types.NestedField.optional(17, "user", Types.StringType.get()));

  private AuditLog() {}

  public static Table createOrLoad(Warehouse warehouse) {
    return warehouse.createOrLoad(ID, SCHEMA, PartitionSpec.unpartitioned());
  }

  /** Appends one run's outcome. */
  public static void append(
      Warehouse warehouse,
      AuditReport report,
      Lineage lineage,
      boolean published,
      Long mainSnapshotId) {
    Table table = createOrLoad(warehouse);
    GenericRecord r = GenericRecord.create(SCHEMA);
    r.setField("run_id", report.runId());
    r.setField("group_name", report.group());
    r.setField("definition", lineage.definition());
    r.setField("fingerprint", lineage.fingerprint());
    r.setField("range_start", LocalDate.parse(report.rangeStart()));
    r.setField("range_end", LocalDate.parse(report.rangeEnd()));
    r.setField("branch", report.branch());
    r.setField("branch_snapshot_id", report.snapshotId());
    r.setField("passed", report.passed());
    r.setField("published", published);
    r.setField("main_snapshot_id", mainSnapshotId);
    r.setField("rows", report.rows());
    r.setField(
        "failures", String.join("; ", report.failures().stream().map(f -> f.message()).toList()));
    r.setField("report", report.toJson());
    r.setField("audited_at", OffsetDateTime.now(ZoneOffset.UTC));
    r.setField("git_commit", lineage.gitCommit());
    r.setField("user", lineage.user());
    SmallWrites.append(table, List.of(r), lineage.properties());
  }

  /** Audit outcome per run id, for the snapshot history. */
  public static Map<String, Record> byRunId(Warehouse warehouse, String group) {
    Map<String, Record> out = new HashMap<>();
    if (!warehouse.exists(ID)) return out;
    Table table = warehouse.load(ID);
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).where(Expressions.equal("group_name", group)).build()) {
      for (Record r : rows) out.put((String) r.getField("run_id"), r);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }
}
