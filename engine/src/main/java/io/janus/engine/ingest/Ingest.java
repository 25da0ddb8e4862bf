package io.janus.engine.ingest;

import io.janus.engine.compute.EventParser;
import io.janus.engine.definition.SourceDefinition;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.lineage.Lineage;
import io.janus.monitoring.MetricNames;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends JSON-lines events to a source's raw table as a Flink BATCH job. Lines that do not parse
 * against the source's schema go to the dead-letter table with their text and the reason; nothing is
 * dropped silently. Both commits carry lineage.
 */
public final class Ingest {
  private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
  static final String EVENTS = "janus-events-ingested";
  static final String MALFORMED = "janus-events-malformed";

  private final Warehouse warehouse;
  private final SourceDefinition source;
  private final String runId;
  private final Path workingDir;

  public Ingest(Warehouse warehouse, SourceDefinition source, Path workingDir) {
    this(warehouse, source, UUID.randomUUID().toString(), workingDir);
  }

  private Ingest(Warehouse warehouse, SourceDefinition source, String runId, Path workingDir) {
    this.warehouse = warehouse;
    this.source = source;
    this.runId = runId;
    this.workingDir = workingDir;
  }

  public Ingest withRunId(String id) {
    return new Ingest(warehouse, source, id, workingDir);
  }

  /** Ingests one file (or every file of a directory) of JSON lines. */
  public IngestResult run(StreamExecutionEnvironment env, Path input) throws Exception {
    RawEvents raw = new RawEvents(source);
    raw.createOrLoad(warehouse);
    DeadLetters.createOrLoad(warehouse);
    Map<String, String> props = Lineage.capture(runId, "ingest", null, null, workingDir).properties();
    props.put("janus.input", input.toAbsolutePath().toString());

    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    FileSource<String> files =
        FileSource.forRecordStreamFormat(new TextLineInputFormat(), new org.apache.flink.core.fs.Path(input.toAbsolutePath().toUri())).build();
    OutputTag<RowData> dead = new OutputTag<>("dead-letters", InternalTypeInfo.of(DeadLetters.rowType())) {};
    SingleOutputStreamOperator<RowData> events =
        env.fromSource(files, WatermarkStrategy.noWatermarks(), "json lines " + input.getFileName())
            .process(new Parse(source, input.toString(), runId, dead))
            .returns(InternalTypeInfo.of(raw.rowType()))
            .name("parse " + source.name());
    FlinkSink.forRowData(events)
        .tableLoader(warehouse.tableLoader(RawEvents.id(source)))
        .setSnapshotProperties(props)
        // NONE: HASH keys every row by its partition path string, which costs more than the write itself.
        .distributionMode(DistributionMode.NONE)
        .uidPrefix("janus-ingest-raw-" + runId)
        .append()
        .name("iceberg raw writer");
    FlinkSink.forRowData(events.getSideOutput(dead))
        .tableLoader(warehouse.tableLoader(DeadLetters.ID))
        .setSnapshotProperties(props)
        .uidPrefix("janus-ingest-dead-" + runId)
        .writeParallelism(1)
        .append()
        .name("iceberg dead-letter writer");
    long t0 = System.currentTimeMillis();
    JobExecutionResult r = env.execute("janus ingest " + source.name() + " " + input.getFileName());
    long ms = System.currentTimeMillis() - t0;
    long ok = count(r, EVENTS);
    long bad = count(r, MALFORMED);
    LOG.info("ingest {}: {} events, {} malformed lines to dead letters, {} ms ({} events/s)", input, ok, bad, ms,
        ms == 0 ? ok : ok * 1000 / ms);
    return new IngestResult(runId, ok, bad, ms);
  }

  private static long count(JobExecutionResult r, String name) {
    Long v = r.getAccumulatorResult(name);
    return v == null ? 0 : v;
  }

  /** Parses lines; good events become raw rows, bad ones dead letters. */
  static final class Parse extends ProcessFunction<String, RowData> {
    private final SourceDefinition source;
    private final String origin;
    private final String runId;
    private final OutputTag<RowData> dead;
    private transient EventParser parser;
    private transient RawEvents raw;
    private transient LongCounter ok;
    private transient LongCounter bad;
    private transient org.apache.flink.metrics.Counter okMetric;
    private transient org.apache.flink.metrics.Counter badMetric;
    private transient io.janus.engine.compute.Progress progress;

    Parse(SourceDefinition source, String origin, String runId, OutputTag<RowData> dead) {
      this.source = source;
      this.origin = origin;
      this.runId = runId;
      this.dead = dead;
    }

    @Override
    public void open(OpenContext ctx) {
      parser = new EventParser(source);
      raw = new RawEvents(source);
      ok = getRuntimeContext().getLongCounter(EVENTS);
      bad = getRuntimeContext().getLongCounter(MALFORMED);
      var group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
      okMetric = group.counter(MetricNames.EVENTS_INGESTED);
      badMetric = group.counter(MetricNames.EVENTS_MALFORMED);
      progress = new io.janus.engine.compute.Progress("ingest " + origin + " lines");
    }

    @Override
    public void processElement(String line, Context ctx, Collector<RowData> out) {
      if (line.isBlank()) {
        return;
      }
      progress.tick();
      EventParser.Result r = parser.parse(line);
      if (r.ok()) {
        ok.add(1);
        okMetric.inc();
        out.collect(raw.toRow(r.event()));
      } else {
        bad.add(1);
        badMetric.inc();
        ctx.output(dead, DeadLetters.row(source.name(), origin, r.error(), line, System.currentTimeMillis(), runId));
      }
    }
  }
}
