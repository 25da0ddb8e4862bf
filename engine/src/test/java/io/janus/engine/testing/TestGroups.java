package io.janus.engine.testing;

import io.janus.engine.compute.Event;
import io.janus.engine.definition.DefinitionLoader;
import io.janus.engine.definition.FeatureGroup;
import io.janus.engine.definition.SourceDefinition;
import java.time.Instant;
import java.util.Map;

/** A small source and helpers to declare groups and events inline in tests. */
public final class TestGroups {
  public static final String SOURCE_YAML = """
      kind: source
      name: clicks
      event_time: ts
      event_id: id
      required: [id, ts, user]
      fields:
        id: string
        ts: timestamp
        user: string
        kind: string
        amount: double
        item: string
        session: string
      """;

  public static final SourceDefinition SOURCE = DefinitionLoader.parseSource(SOURCE_YAML, "test-source.yaml");

  private TestGroups() {}

  /** Parses a group against {@link #SOURCE}. */
  public static FeatureGroup group(String yaml) {
    return DefinitionLoader.parseGroup(yaml, "test.yaml", Map.of("clicks", SOURCE));
  }

  /** An event of {@link #SOURCE}. */
  public static Event event(String id, String isoTime, String user, String kind, Double amount, String item) {
    long ts = Instant.parse(isoTime).toEpochMilli();
    return new Event(ts, id, new Object[] {id, ts, user, kind, amount, item, "s-" + user});
  }

  public static Event event(String id, long ts, String user, String kind, Double amount, String item) {
    return new Event(ts, id, new Object[] {id, ts, user, kind, amount, item, "s-" + user});
  }
}
