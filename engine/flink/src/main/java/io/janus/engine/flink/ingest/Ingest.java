package io.janus.engine.flink.ingest;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.Event;
import io.janus.engine.flink.compute.Accumulators;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.source.IcebergSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends JSON-lines events to a source's raw table as a Flink BATCH job. Lines that do not parse
 * against the source's schema go to the dead-letter table with their text and the reason; nothing
 * is dropped silently. Both commits carry lineage.
 */
public final class Ingest {
  private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);

  private final Warehouse warehouse;
  private final SourceDefinition source;
  private final String runId;
  private final Path workingDir;
  private final List<FeatureGroup> checked;

  /**
   * An ingest into {@code source}'s raw table, git facts looked up around the current directory.
   */
  public static Ingest of(Warehouse warehouse, SourceDefinition source) {
    return new Ingest(warehouse, source, UUID.randomUUID().toString(), Path.of(""), List.of());
  }

  private Ingest(
      Warehouse warehouse,
      SourceDefinition source,
      String runId,
      Path workingDir,
      List<FeatureGroup> checked) {
    this.warehouse = warehouse;
    this.source = source;
    this.runId = runId;
    this.workingDir = workingDir;
    this.checked = checked;
  }

  /** The run id recorded in lineage and dead letters (default a new UUID). */
  public Ingest withRunId(String id) {
    return new Ingest(warehouse, source, id, workingDir, checked);
  }

  /** Directory where git facts are looked up (the repository around it). */
  public Ingest withWorkingDir(Path dir) {
    return new Ingest(warehouse, source, runId, dir, checked);
  }

  /**
   * Checks every event against the expressions of {@code groups} (the source's groups) at the door:
   * an event on which one fails at run time goes to dead letters, so the raw table never holds an
   * event a backfill cannot compute.
   */
  public Ingest checkingGroups(List<FeatureGroup> groups) {
    for (FeatureGroup g : groups) {
      if (!g.source().name().equals(source.name()))
        throw new IllegalArgumentException(
            "group " + g.name() + " reads source " + g.source().name() + ", not " + source.name());
    }
    return new Ingest(warehouse, source, runId, workingDir, List.copyOf(groups));
  }

  /** Ingests one file (or every file of a directory) of JSON lines. */
  public IngestResult run(StreamExecutionEnvironment env, Path input) throws Exception {
    RawEvents raw = new RawEvents(source);
    raw.createOrLoad(warehouse);
    DeadLetters.createOrLoad(warehouse);
    Map<String, String> props =
        Lineage.capture(runId, "ingest", null, null, workingDir).properties();
    props.put("janus.input", input.toAbsolutePath().toString());

    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    FileSource<String> files =
        FileSource.forRecordStreamFormat(
                new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(input.toAbsolutePath().toUri()))
            .build();
    SingleOutputStreamOperator<Event> parsed =
        env.fromSource(files, WatermarkStrategy.noWatermarks(), "json lines " + input.getFileName())
            .process(new ParseEvents(source, "file:" + input.toAbsolutePath(), runId, checked))
            .returns(TypeInformation.of(Event.class))
            .name("parse " + source.name());
    // Each event id once in the raw table: against the ids it holds, and within this input.
    String idColumn = source.field(source.eventId()).orElseThrow().columnName();
    Table rawTable = warehouse.load(RawEvents.id(source));
    DataStream<String> storedIds;
    if (rawTable.currentSnapshot() == null) {
      storedIds = env.fromData(List.of("")).filter(x -> false).name("no stored ids");
    } else {
      Schema ids = rawTable.schema().select(idColumn);
      storedIds =
          env.fromSource(
                  IcebergSource.forRowData()
                      .tableLoader(warehouse.tableLoader(RawEvents.id(source)))
                      .useSnapshotId(rawTable.currentSnapshot().snapshotId())
                      .project(ids)
                      .build(),
                  WatermarkStrategy.noWatermarks(),
                  "stored ids of " + RawEvents.id(source),
                  InternalTypeInfo.of(FlinkSchemaUtil.convert(ids)))
              .map(row -> row.isNullAt(0) ? "" : row.getString(0).toString())
              .returns(Types.STRING)
              .name("event id");
    }
    int idField = raw.rowType().getFieldNames().indexOf(idColumn);
    int timeField = raw.rowType().getFieldNames().indexOf(raw.eventTimeColumn());
    DataStream<RowData> events =
        parsed
            .map(raw::toRow)
            .returns(InternalTypeInfo.of(raw.rowType()))
            .name("event to raw row")
            .keyBy(row -> row.getString(idField).toString(), Types.STRING)
            .connect(storedIds.keyBy(id -> id, Types.STRING))
            .process(new NewEventsOnly(raw.rowType(), timeField))
            .returns(InternalTypeInfo.of(raw.rowType()))
            .name("each event id once");
    IcebergAppend.to(warehouse.tableLoader(RawEvents.id(source)), "janus-ingest-raw-" + runId)
        .withSnapshotProperties(props)
        .append(events, "iceberg raw writer");
    IcebergAppend.to(warehouse.tableLoader(DeadLetters.ID), "janus-ingest-dead-" + runId)
        .withSnapshotProperties(props)
        .withParallelism(1)
        .append(parsed.getSideOutput(ParseEvents.DEAD_LETTERS), "iceberg dead-letter writer");
    long t0 = System.currentTimeMillis();
    JobExecutionResult r = env.execute("janus ingest " + source.name() + " " + input.getFileName());
    long ms = System.currentTimeMillis() - t0;
    long parsedOk = Accumulators.count(r, ParseEvents.EVENTS);
    long bad = Accumulators.count(r, ParseEvents.MALFORMED);
    long dup = Accumulators.count(r, NewEventsOnly.DUPLICATES);
    long ok = parsedOk - dup;
    LOG.info(
        "ingest {}: {} events, {} malformed lines to dead letters, {} duplicates of stored or"
            + " repeated event ids not appended, {} ms ({} events/s)",
        input,
        ok,
        bad,
        dup,
        ms,
        ms == 0 ? parsedOk : parsedOk * 1000 / ms);
    return new IngestResult(runId, source.name(), input.toAbsolutePath(), ok, bad, dup, ms);
  }
}
