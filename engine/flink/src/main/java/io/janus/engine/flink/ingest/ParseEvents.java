package io.janus.engine.flink.ingest;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.event.EventParser;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.progress.Progress;
import io.janus.engine.core.state.ContributionExtractor;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.monitoring.MetricNames;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses JSON payloads into events and checks them against everything compute will ask of them; a
 * payload that fails becomes a dead-letter row (payload, origin, reason naming the field, the value
 * and the rule) on {@link #DEAD_LETTERS} instead of failing the job: malformed JSON, wrong types,
 * non-finite numbers, event times outside 0001..9999 or more than the source's {@code
 * max_future_skew} ahead of this task's clock, payloads over {@code max_payload_bytes} (the dead
 * letter keeps a prefix), Kafka tombstones, and events on which an expression of one of the checked
 * groups fails at run time.
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
  private final List<FeatureGroup> checked;
  private transient EventParser parser;
  private transient List<ContributionExtractor> extractors;
  private transient LongCounter ok;
  private transient LongCounter bad;
  private transient Counter okMetric;
  private transient Counter badMetric;
  private transient Progress progress;

  /**
   * @param source the source
   * @param origin where the payloads come from, for dead letters
   * @param runId the run, for dead letters
   * @param checked groups of this source whose expressions every event must pass
   */
  public ParseEvents(
      SourceDefinition source, String origin, String runId, List<FeatureGroup> checked) {
    this.source = source;
    this.origin = origin;
    this.runId = runId;
    this.checked = List.copyOf(checked);
  }

  @Override
  public void open(OpenContext ctx) {
    parser = new EventParser(source);
    extractors = new ArrayList<>();
    for (FeatureGroup g : checked) extractors.add(new ContributionExtractor(GroupPlan.of(g)));
    ok = getRuntimeContext().getLongCounter(EVENTS);
    bad = getRuntimeContext().getLongCounter(MALFORMED);
    var group = getRuntimeContext().getMetricGroup().addGroup(MetricNames.GROUP);
    okMetric = group.counter(MetricNames.EVENTS_INGESTED);
    badMetric = group.counter(MetricNames.EVENTS_MALFORMED);
    progress = new Progress("parse " + origin + " payloads");
  }

  @Override
  public void processElement(String payload, Context ctx, Collector<Event> out) {
    if (payload == null) payload = EventParser.NULL_VALUE;
    if (payload.isBlank()) {
      return;
    }
    progress.tick();
    long now = System.currentTimeMillis();
    EventParser.Result r = parser.parse(payload, now);
    String error = r.error();
    if (r.ok()) {
      for (ContributionExtractor x : extractors) {
        try {
          x.extract(r.event());
        } catch (ContributionExtractor.EventRejected e) {
          error = e.getMessage();
          break;
        }
      }
    }
    if (error == null) {
      ok.add(1);
      okMetric.inc();
      out.collect(r.event());
    } else {
      bad.add(1);
      badMetric.inc();
      String kept =
          parser.oversized(payload) > 0
              ? payload.substring(0, EventParser.OVERSIZED_PREFIX)
              : EventParser.NULL_VALUE.equals(payload) ? null : payload;
      ctx.output(DEAD_LETTERS, DeadLetters.row(source.name(), origin, error, kept, now, runId));
    }
  }
}
