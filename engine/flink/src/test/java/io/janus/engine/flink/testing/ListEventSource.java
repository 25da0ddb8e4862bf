package io.janus.engine.flink.testing;

import io.janus.engine.core.event.Event;
import io.janus.engine.flink.source.EventSource;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Events from a list, for tests. */
public final class ListEventSource implements EventSource {
  private final ArrayList<Event> events;

  public ListEventSource(List<Event> events) {
    this.events = new ArrayList<>(events);
  }

  @Override
  public DataStream<Event> events(StreamExecutionEnvironment env, long fromMs, long toMs) {
    List<Event> in = events.stream().filter(e -> e.ts >= fromMs && e.ts < toMs).toList();
    if (in.isEmpty()) {
      // fromData needs at least one element: an empty range becomes one event filtered away.
      return env.fromData(
              List.of(new Event(fromMs, "", new Object[0])), TypeInformation.of(Event.class))
          .filter(e -> false);
    }
    return env.fromData(in, TypeInformation.of(Event.class));
  }

  @Override
  public DataStream<Event> keysBefore(
      StreamExecutionEnvironment env, long beforeMs, List<String> entityFields) {
    List<Event> in =
        events.stream()
            .filter(e -> e.ts < beforeMs)
            .map(e -> new Event(beforeMs - 1, "", e.values))
            .toList();
    return in.isEmpty() ? null : env.fromData(in, TypeInformation.of(Event.class));
  }

  @Override
  public String describe() {
    return "list(" + events.size() + ")";
  }

  /** The days of the events, as a raw table's day partitions would say. */
  @Override
  public java.util.SortedSet<java.time.LocalDate> days() {
    java.util.SortedSet<java.time.LocalDate> days = new java.util.TreeSet<>();
    for (Event e : events)
      days.add(java.time.LocalDate.ofEpochDay(Math.floorDiv(e.ts, 86_400_000L)));
    return days;
  }
}
