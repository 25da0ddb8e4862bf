package io.janus.engine.iceberg.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/**
 * The result of auditing a backfill branch: the figures and every check. Serialized as the JSON
 * report kept under the work directory and in the audit log table.
 *
 * @param group group name
 * @param runId the backfill run
 * @param branch the audited branch
 * @param snapshotId the branch's snapshot that was audited
 * @param rangeStart first day of the range (ISO date)
 * @param rangeEnd last day of the range (ISO date)
 * @param rows rows in the range on the branch
 * @param keys distinct entity keys in the range
 * @param mainRows rows of main in the range (for drift)
 * @param columns per feature column figures
 * @param checks every check with its outcome
 * @param passed true when no check failed
 */
public record AuditReport(
    String group,
    String runId,
    String branch,
    Long snapshotId,
    String rangeStart,
    String rangeEnd,
    long rows,
    long keys,
    long mainRows,
    List<ColumnStats> columns,
    List<AuditCheck> checks,
    boolean passed) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Checks that failed. */
  public List<AuditCheck> failures() {
    return checks.stream().filter(c -> c.status() == AuditCheck.Status.FAIL).toList();
  }

  /** Checks that only warned. */
  public List<AuditCheck> warnings() {
    return checks.stream().filter(c -> c.status() == AuditCheck.Status.WARN).toList();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
