package io.janus.engine.flink.backfill;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.flink.compute.Accumulators;
import io.janus.engine.flink.compute.FeaturePipeline;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.flink.source.EventSource;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.audit.AuditLog;
import io.janus.engine.iceberg.audit.AuditReport;
import io.janus.engine.iceberg.audit.Auditor;
import io.janus.engine.iceberg.audit.WrittenFigures;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.engine.iceberg.wap.OpenBranch;
import io.janus.engine.iceberg.wap.PublishBranch;
import io.janus.engine.iceberg.wap.WriteAuditPublish;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Write-Audit-Publish backfill of one group over a range of days (DESIGN §5).
 *
 * <p>Immutable and fluent like Iceberg's pending updates: configure with the {@code with…} methods,
 * then {@link #run}. The run creates branch {@code audit_<run_id>} from main, replaces the range's
 * {@code ds} partitions on it (every day of the range, including days that now have no rows),
 * computes the change rows with the group's Flink pipeline in BATCH mode from events starting one
 * longest window (plus a hop) before the range, audits the branch, records the audit, and — when
 * the audit passed and publishing is on — fast-forwards main to the branch and drops it. If main
 * moved meanwhile, the branch's range is re-applied onto the new main as one overwrite that Iceberg
 * validates against concurrent changes to the same days; a conflicting write fails the publish
 * (branch kept) instead of being lost.
 */
public final class Backfill {
  private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);

  private final Warehouse warehouse;
  private final FeatureGroup group;
  private final EventSource events;
  private final LocalDate start;
  private final LocalDate end;
  private final String runId;
  private final boolean publish;
  private final Path workingDir;
  private final Path reportDir;
  private final PublishGate gate;

  private Backfill(
      Warehouse warehouse,
      FeatureGroup group,
      EventSource events,
      LocalDate start,
      LocalDate end,
      String runId,
      boolean publish,
      Path workingDir,
      Path reportDir,
      PublishGate gate) {
    this.warehouse = warehouse;
    this.group = group;
    this.events = events;
    this.start = start;
    this.end = end;
    this.runId = runId;
    this.publish = publish;
    this.workingDir = workingDir;
    this.reportDir = reportDir;
    this.gate = gate;
  }

  /** A backfill of {@code group} reading {@code events}; set the range before running. */
  public static Backfill of(Warehouse warehouse, FeatureGroup group, EventSource events) {
    return new Backfill(
        warehouse,
        group,
        events,
        null,
        null,
        UUID.randomUUID().toString(),
        true,
        Path.of("."),
        null,
        PublishGate.NONE);
  }

  /** The inclusive range of days whose rows are (re)written. */
  public Backfill withRange(LocalDate first, LocalDate last) {
    if (last.isBefore(first)) {
      throw new IllegalArgumentException("end " + last + " is before start " + first);
    }
    return new Backfill(
        warehouse, group, events, first, last, runId, publish, workingDir, reportDir, gate);
  }

  public Backfill withRunId(String id) {
    return new Backfill(
        warehouse, group, events, start, end, id, publish, workingDir, reportDir, gate);
  }

  /** The same backfill that audits but never publishes: the branch is kept for inspection. */
  public Backfill auditOnly() {
    return new Backfill(
        warehouse, group, events, start, end, runId, false, workingDir, reportDir, gate);
  }

  /**
   * The same backfill whose audited branch must also pass {@code check} before it is published
   * (e.g. {@link ParityGate}); a refusal keeps main untouched and the branch for inspection.
   */
  public Backfill withGate(PublishGate check) {
    return new Backfill(
        warehouse,
        group,
        events,
        start,
        end,
        runId,
        publish,
        workingDir,
        reportDir,
        java.util.Objects.requireNonNull(check, "gate"));
  }

  /** Directory where git facts are looked up (the repository around it). */
  public Backfill withWorkingDir(Path dir) {
    return new Backfill(warehouse, group, events, start, end, runId, publish, dir, reportDir, gate);
  }

  /** Directory that receives the JSON audit report ({@code <dir>/<group>/<run_id>.json}). */
  public Backfill withReportDir(Path dir) {
    return new Backfill(
        warehouse, group, events, start, end, runId, publish, workingDir, dir, gate);
  }

  /** The branch this backfill writes. */
  public String branch() {
    return "audit_" + runId;
  }

  /** Runs write, audit and publish; {@code env} is switched to BATCH mode. */
  public BackfillResult run(StreamExecutionEnvironment env) throws Exception {
    if (start == null) {
      throw new IllegalStateException("backfill range not set");
    }
    long t0 = System.currentTimeMillis();
    // A run id names one run: its branch, its lineage and its row of the audit log.
    if (AuditLog.byRunId(warehouse, group.name()).containsKey(runId)) {
      throw new IllegalArgumentException(
          "run id "
              + runId
              + " was already used by a backfill of "
              + group.name()
              + " (see janus.audit_log): a run id is used once; leave --run-id out for a new one");
    }
    GroupPlan plan = GroupPlan.of(group);
    Table table = FeatureTables.createOrLoad(warehouse, group);
    String range = start + ".." + end;
    Lineage lineage = Lineage.capture(runId, "backfill", group, range, workingDir);
    Map<String, String> props = new java.util.LinkedHashMap<>(lineage.properties());
    String branch = branch();
    Expression days = days(start, end);

    // 1. Branch from main and clear the range on it.
    WriteAuditPublish wap = WriteAuditPublish.on(table);
    OpenBranch open = wap.openBranch(branch).clearing(days);
    props.forEach(open::set);
    Snapshot base = open.apply();
    Long baseId = base == null ? null : base.snapshotId();
    if (baseId != null) open.fromSnapshot(baseId);
    open.commit();
    props.put(WriteAuditPublish.BASE_SNAPSHOT, baseId == null ? "none" : Long.toString(baseId));
    LOG.info(
        "backfill {} {} run {}: branch {} from main snapshot {}",
        group.name(),
        range,
        runId,
        branch,
        baseId);

    // 2. Compute and write to the branch.
    long startMs = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long endMs = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long readFrom = readFrom(group, start);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    // Raw rows the group's expressions refuse (stored before the group existed) are dead letters.
    DeadLetters.createOrLoad(warehouse);
    FeaturePipeline pipeline =
        FeaturePipeline.of(plan, org.apache.iceberg.flink.FlinkSchemaUtil.convert(table.schema()))
            .withDeadLetters(
                events.describe(),
                runId,
                refused ->
                    IcebergAppend.to(
                            warehouse.tableLoader(DeadLetters.ID), "janus-backfill-dead-" + runId)
                        .withSnapshotProperties(props)
                        .withParallelism(1)
                        .append(refused, "iceberg dead-letter writer"));
    if (readFrom != Long.MIN_VALUE) {
      pipeline = pipeline.withKeyHistory(events.keysBefore(env, readFrom, group.entity()));
    }
    DataStream<RowData> rows =
        pipeline
            .batch(events.reading(plan.sourceFields()).events(env, readFrom, endMs))
            .filter(rangeFilter(table, startMs, endMs, "backfill " + group.name() + " " + range))
            .name("valid_from in " + range);
    IcebergAppend.to(warehouse.tableLoader(FeatureTables.id(group)), "janus-backfill-" + runId)
        .withBranch(branch)
        .withSnapshotProperties(props)
        .append(rows, "iceberg audit branch writer");
    long c0 = System.currentTimeMillis();
    JobExecutionResult job = env.execute("janus backfill " + group.name() + " " + range);
    long computeMillis = System.currentTimeMillis() - c0;
    WrittenFigures figures = RangeFilter.figures(job);
    long refused = Accumulators.count(job, FeaturePipeline.REJECTED);
    if (refused > 0)
      LOG.warn(
          "backfill {} {}: {} raw events refused by the group's expressions, not computed (dead"
              + " letters in {})",
          group.name(),
          range,
          refused,
          DeadLetters.ID);
    long rowsWritten = figures.rows();
    LOG.info(
        "backfill {} {}: {} rows written to {} in {} ms ({} rows/s)",
        group.name(),
        range,
        rowsWritten,
        branch,
        computeMillis,
        computeMillis == 0 ? rowsWritten : rowsWritten * 1000 / computeMillis);

    // 3. Audit the branch against main.
    table.refresh();
    SnapshotRef ref = table.refs().get(branch);
    long branchSnapshot = ref.snapshotId();
    long a0 = System.currentTimeMillis();
    AuditReport report =
        new Auditor(group)
            .withRawDays(events.days())
            .audit(table, runId, branch, branchSnapshot, baseId, start, end, figures);
    LOG.info("audit of {} took {} ms", branch, System.currentTimeMillis() - a0);
    Path reportFile = writeReport(report);
    report.failures().forEach(f -> LOG.warn("audit FAIL {}: {}", group.name(), f.message()));
    report.warnings().forEach(f -> LOG.warn("audit WARN {}: {}", group.name(), f.message()));

    // 4. Publish or keep the branch.
    boolean published = false;
    String mode = "none";
    String message;
    if (!report.passed()) {
      message =
          "audit failed: "
              + String.join("; ", report.failures().stream().map(f -> f.message()).toList())
              + "; main untouched, branch "
              + branch
              + " kept";
    } else if (!publish) {
      message = "audit passed; not published (--no-publish), branch " + branch + " kept";
    } else {
      PublishGate.Verdict verdict = gate.check(table, branchSnapshot, env);
      String gateSays = verdict.message() == null ? "" : " (" + verdict.message() + ")";
      if (!verdict.passed()) {
        message = verdict.message() + "; main untouched, branch " + branch + " kept";
        LOG.warn("backfill {} {}: {}", group.name(), range, message);
      } else {
        try {
          mode = publish(wap, branch, branchSnapshot, baseId, days, props);
          published = true;
          message = "published to main by " + mode + gateSays;
        } catch (ValidationException | IllegalStateException e) {
          message = "publish failed, branch " + branch + " kept: " + e.getMessage();
          LOG.warn(message);
        }
      }
    }
    table.refresh();
    Long mainId = table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
    AuditLog.append(warehouse, report, lineage, published, mainId);
    long total = System.currentTimeMillis() - t0;
    LOG.info("backfill {} {} run {}: {} in {} ms", group.name(), range, runId, message, total);
    return new BackfillResult(
        runId,
        branch,
        rowsWritten,
        report,
        reportFile,
        published,
        mode,
        mainId,
        computeMillis,
        total,
        message);
  }

  private RangeFilter rangeFilter(Table table, long startMs, long endMs, String label) {
    org.apache.flink.table.types.logical.RowType rowType =
        org.apache.iceberg.flink.FlinkSchemaUtil.convert(table.schema());
    List<String> names = rowType.getFieldNames();
    RowData.FieldGetter[] entity =
        group.entity().stream()
            .map(
                e ->
                    RowData.createFieldGetter(
                        rowType.getTypeAt(names.indexOf(e)), names.indexOf(e)))
            .toArray(RowData.FieldGetter[]::new);
    return new RangeFilter(
        startMs,
        endMs,
        names.indexOf(FeatureTables.VALID_FROM),
        names.indexOf(FeatureTables.DS),
        entity,
        label);
  }

  private static Expression days(LocalDate first, LocalDate last) {
    return Expressions.and(
        Expressions.greaterThanOrEqual(FeatureTables.DS, first.toString()),
        Expressions.lessThanOrEqual(FeatureTables.DS, last.toString()));
  }

  /**
   * Publishes a branch an earlier run kept ({@code --no-publish}) after its audit passed. Returns
   * how ("fast-forward" or "rebase"); fails when the audit did not pass or main changed the same
   * days.
   */
  public static String publishKept(Warehouse warehouse, FeatureGroup group, String runId) {
    Table table = warehouse.load(FeatureTables.id(group));
    String branch = "audit_" + runId;
    SnapshotRef ref = table.refs().get(branch);
    if (ref == null) {
      throw new IllegalStateException("no branch " + branch + " in " + FeatureTables.id(group));
    }
    var audit = AuditLog.byRunId(warehouse, group.name()).get(runId);
    if (audit == null || !Boolean.TRUE.equals(audit.getField("passed"))) {
      throw new IllegalStateException(
          "run " + runId + " did not pass its audit; refusing to publish " + branch);
    }
    Map<String, String> summary = table.snapshot(ref.snapshotId()).summary();
    Map<String, String> props = new java.util.LinkedHashMap<>();
    summary.forEach(
        (k, v) -> {
          if (k.startsWith("janus.")) props.put(k, v);
        });
    String base = props.getOrDefault(WriteAuditPublish.BASE_SNAPSHOT, "none");
    String[] range = props.getOrDefault(Lineage.RANGE, "").split("\\.\\.");
    if (range.length != 2) {
      throw new IllegalStateException("branch " + branch + " has no janus.range in its summary");
    }
    Expression days = days(LocalDate.parse(range[0]), LocalDate.parse(range[1]));
    Object audited = audit.getField("branch_snapshot_id");
    return publish(
        WriteAuditPublish.on(table),
        branch,
        audited == null ? null : ((Number) audited).longValue(),
        "none".equals(base) ? null : Long.parseLong(base),
        days,
        props);
  }

  /** Publishes {@code branch} and tells how: "fast-forward" or "rebase". */
  private static String publish(
      WriteAuditPublish wap,
      String branch,
      Long audited,
      Long baseId,
      Expression days,
      Map<String, String> props) {
    PublishBranch publish = wap.publishBranch(branch).range(days);
    if (audited != null) publish.audited(audited);
    if (baseId != null) publish.validateFromSnapshot(baseId);
    props.forEach(publish::set);
    return publish.publish().label();
  }

  private Path writeReport(AuditReport report) {
    if (reportDir == null) return null;
    try {
      Path dir = reportDir.resolve(group.name());
      Files.createDirectories(dir);
      Path file = dir.resolve(runId + ".json");
      Files.writeString(file, report.toJson());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write audit report under " + reportDir, e);
    }
  }

  /**
   * The earliest event time a backfill of a range that starts on {@code start} reads: the longest
   * window plus a hop before the range, so the windows open on its first day are whole; {@link
   * Long#MIN_VALUE} (all of history) when the group has a lifetime feature.
   *
   * @param group the group
   * @param start the range's first day (UTC)
   * @return epoch ms, inclusive
   */
  public static long readFrom(FeatureGroup group, LocalDate start) {
    if (group.hasLifetimeFeatures()) return Long.MIN_VALUE;
    GroupPlan plan = GroupPlan.of(group);
    return start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
        - plan.maxWindow()
        - plan.hopMillis();
  }
}
