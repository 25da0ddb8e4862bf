package io.janus.engine.flink.backfill;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.janus.engine.iceberg.audit.AuditCheck;
import io.janus.engine.iceberg.audit.AuditReport;
import java.nio.file.Path;
import java.util.List;

/**
 * What a backfill did. Serialized by Jackson as the {@code janus backfill --json} line: the run's
 * figures with the audit's outcome flattened in (the whole report is in {@code reportFile}).
 *
 * @param runId the run
 * @param branch the audit branch it wrote
 * @param rowsWritten rows written to the branch
 * @param report the audit report
 * @param reportFile where the JSON report was written (may be null)
 * @param published whether main now holds the rows
 * @param publishMode "fast-forward", "rebase", or "none"
 * @param mainSnapshotId main's snapshot after the run (null if main has none)
 * @param computeMillis wall time of the Flink job
 * @param totalMillis wall time of the whole run
 * @param message one line for people: why it was not published, if it was not
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({
  "run_id",
  "group",
  "range",
  "branch",
  "rows_written",
  "keys",
  "audit_passed",
  "audit_failures",
  "audit_warnings",
  "published",
  "publish_mode",
  "main_snapshot_id",
  "report",
  "compute_seconds",
  "total_seconds",
  "message"
})
public record BackfillResult(
    String runId,
    String branch,
    long rowsWritten,
    @JsonIgnore AuditReport report,
    @JsonProperty("report") @JsonSerialize(using = ToStringSerializer.class) Path reportFile,
    boolean published,
    String publishMode,
    Long mainSnapshotId,
    @JsonIgnore long computeMillis,
    @JsonIgnore long totalMillis,
    String message) {

  @JsonProperty("group")
  String group() {
    return report.group();
  }

  /** The days backfilled, {@code first..last}. */
  @JsonProperty("range")
  public String range() {
    return report.rangeStart() + ".." + report.rangeEnd();
  }

  @JsonProperty("keys")
  long keys() {
    return report.keys();
  }

  @JsonProperty("audit_passed")
  boolean auditPassed() {
    return report.passed();
  }

  @JsonProperty("audit_failures")
  List<String> auditFailures() {
    return report.failures().stream().map(AuditCheck::message).toList();
  }

  @JsonProperty("audit_warnings")
  List<String> auditWarnings() {
    return report.warnings().stream().map(AuditCheck::message).toList();
  }

  @JsonProperty("compute_seconds")
  double computeSeconds() {
    return computeMillis / 1000.0;
  }

  @JsonProperty("total_seconds")
  double totalSeconds() {
    return totalMillis / 1000.0;
  }
}
