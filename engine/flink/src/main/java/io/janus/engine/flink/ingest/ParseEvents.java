package io.janus.engine.flink.ingest;

import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.event.EventParser;
import io.janus.engine.core.progress.Progress;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.monitoring.MetricNames;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses JSON payloads into events; a payload that does not fit the source's schema becomes a
 * dead-letter row (payload, origin, reason) on {@link #DEAD_LETTERS} instead of failing the job.
 */
public final class ParseEvents extends ProcessFunction<String, Event> {
  /** Malformed payloads as rows of {@code janus.dead_letters}. */
  public static final OutputTag<RowData> DEAD_LETTERS =
      new OutputTag<>("dead-letters", InternalTypeInfo.of(DeadLetters.rowType()));

  /** Accumulator counting parsed events. */
  public static final String EVENTS = "janus-events-ingested";

  /** Accumulator counting malformed payloads. */
  public static final String MALFORMED = "janus-events-malformed";

  private final SourceDefinition source;
  private final String origin;
  private final String runId;
  private transient EventParser parser;
  private transient LongCounter ok;
  private transient LongCounter bad;
  private transient Counter okMetric;
  private transient Counter badMetric;
  private transient Progress progress;

  public ParseEvents(SourceDefinition source, String origin, String runId) {
    this.source = source;
    this.origin = origin;
    this.runId = runId;
  }

  @Override
  public void open(OpenContext ctx) {
    parser = new EventParser(source);
    ok = getRuntimeContext().getLongCounter(EVENTS);
    bad = getRuntimeContext().getLongCounter(MALFORMED);
    var group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
    okMetric = group.counter(MetricNames.EVENTS_INGESTED);
    badMetric = group.counter(MetricNames.EVENTS_MALFORMED);
    progress = new Progress("parse " + origin + " payloads");
  }

  @Override
  public void processElement(String payload, Context ctx, Collector<Event> out) {
    if (payload.isBlank()) {
      return;
    }
    progress.tick();
    EventParser.Result r = parser.parse(payload);
    if (r.ok()) {
      ok.add(1);
      okMetric.inc();
      out.collect(r.event());
    } else {
      bad.add(1);
      badMetric.inc();
      ctx.output(
          DEAD_LETTERS,
          DeadLetters.row(
              source.name(), origin, r.error(), payload, System.currentTimeMillis(), runId));
    }
  }
}
