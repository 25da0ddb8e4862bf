package io.janus.engine.flink.ingest;

import io.janus.engine.core.event.Event;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id, in BATCH mode: the ingested events (first input) against the ids the raw table
 * already holds (second input). An id the table holds is not appended again, and an id seen several
 * times in the input is appended once (the earliest event time, then the lowest id text, so the
 * choice does not depend on parallelism). Every dropped event is counted in {@link #DUPLICATES}.
 * What is decided at the key's end-of-input timer, when both inputs are complete.
 */
final class NewEventsOnly extends KeyedCoProcessFunction<String, Event, String, Event> {
  /** Accumulator counting events not appended because their id was already there. */
  static final String DUPLICATES = "janus-events-duplicate";

  private transient ValueState<Event> first;
  private transient ValueState<Boolean> stored;
  private transient ValueState<Long> seen;
  private transient LongCounter duplicates;

  @Override
  public void open(OpenContext ctx) {
    first =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("first", TypeInformation.of(Event.class)));
    stored = getRuntimeContext().getState(new ValueStateDescriptor<>("stored", Types.BOOLEAN));
    seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.LONG));
    duplicates = getRuntimeContext().getLongCounter(DUPLICATES);
  }

  @Override
  public void processElement1(Event e, Context ctx, Collector<Event> out) throws Exception {
    Event kept = first.value();
    if (kept == null || e.ts < kept.ts) first.update(e);
    Long n = seen.value();
    seen.update(n == null ? 1 : n + 1);
    if (n == null) ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void processElement2(String id, Context ctx, Collector<Event> out) throws Exception {
    stored.update(true);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Event> out) throws Exception {
    long n = seen.value() == null ? 0 : seen.value();
    if (Boolean.TRUE.equals(stored.value())) {
      duplicates.add(n);
    } else if (first.value() != null) {
      out.collect(first.value());
      duplicates.add(n - 1);
    }
  }
}
