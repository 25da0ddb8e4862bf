package io.janus.engine.flink.backfill;

import io.janus.engine.iceberg.audit.AuditReport;
import java.nio.file.Path;

/**
 * What a backfill did.
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
public record BackfillResult(
    String runId,
    String branch,
    long rowsWritten,
    AuditReport report,
    Path reportFile,
    boolean published,
    String publishMode,
    Long mainSnapshotId,
    long computeMillis,
    long totalMillis,
    String message) {}
