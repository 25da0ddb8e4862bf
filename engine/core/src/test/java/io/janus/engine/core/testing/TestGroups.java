package io.janus.engine.core.testing;

import io.janus.engine.core.definition.DefinitionLoader;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.Event;
import java.time.Instant;
import java.util.Map;

/** A small source and helpers to declare groups and events inline in tests. */
public final class TestGroups {
  public static final String SOURCE_YAML =
      """
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

  public static final SourceDefinition SOURCE =
      DefinitionLoader.parseSource(SOURCE_YAML, "test-source.yaml");

  /** Every aggregation and window kind at once, for reference comparisons. */
  public static final String MIX_YAML =
      """
      name: mix
      version: 1
      entity: [user]
      source: clicks
      hop: 1m
      ttl: 1d
      features:
        - {name: v5,  agg: count, where: "kind == 'view'", window: 5m}
        - {name: v60, agg: count, where: "kind == 'view'", window: 1h}
        - {name: s30, agg: sum, of: amount, where: "kind == 'buy'", window: 30m}
        - {name: a30, agg: avg, of: amount, window: 30m}
        - {name: lo,  agg: min, of: amount, window: 10m}
        - {name: hi,  agg: max, of: amount, window: 1h}
        - {name: li,  agg: last, of: item, window: 15m}
        - {name: d,   agg: approx_count_distinct, of: item, window: 20m}
        - {name: du,  agg: duration, window: 7m}
        - {name: all, agg: count, window: lifetime}
        - {name: r,   agg: ratio, num: s30, den: v60}
      """;

  /** Sliding windows only, so keys go dormant when their windows empty; with audit rules. */
  public static final String ACTIVITY_YAML =
      """
      name: activity
      version: 1
      entity: [user]
      source: clicks
      hop: 1m
      ttl: 1d
      features:
        - {name: views_5m, agg: count, where: "kind == 'view'", window: 5m}
        - {name: buys_1h,  agg: count, where: "kind == 'buy'",  window: 1h}
        - {name: spend_1h, agg: sum, of: amount, where: "kind == 'buy'", window: 1h}
        - {name: cr_1h,    agg: ratio, num: buys_1h, den: views_5m}
      audit:
        min_rows: 1
        ranges: {views_5m: [0, 1000]}
      """;

  private TestGroups() {}

  /** Parses a group against {@link #SOURCE}. */
  public static FeatureGroup group(String yaml) {
    return DefinitionLoader.parseGroup(yaml, "test.yaml", Map.of("clicks", SOURCE));
  }

  /** An event of {@link #SOURCE}. */
  public static Event event(
      String id, String isoTime, String user, String kind, Double amount, String item) {
    long ts = Instant.parse(isoTime).toEpochMilli();
    return new Event(ts, id, new Object[] {id, ts, user, kind, amount, item, "s-" + user});
  }

  public static Event event(
      String id, long ts, String user, String kind, Double amount, String item) {
    return new Event(ts, id, new Object[] {id, ts, user, kind, amount, item, "s-" + user});
  }

  /**
   * Random events spread over whole days: kinds view/view/view/buy/click, amounts with cents (a
   * fifth of them null), a tenth of the times exactly on the minute grid.
   */
  public static java.util.List<Event> randomEvents(int n, long seed, int users, String... days) {
    java.util.Random rnd = new java.util.Random(seed);
    java.util.List<Event> out = new java.util.ArrayList<>();
    String[] kinds = {"view", "view", "view", "buy", "click"};
    for (int i = 0; i < n; i++) {
      long base = Instant.parse(days[rnd.nextInt(days.length)] + "T00:00:00Z").toEpochMilli();
      long ts = base + (long) (rnd.nextDouble() * 86_400_000L);
      if (rnd.nextInt(10) == 0) ts = ts / 60_000 * 60_000;
      Double amount = rnd.nextInt(5) == 0 ? null : Math.round(rnd.nextDouble() * 10000) / 100.0;
      out.add(
          event(
              String.format("e%d-%06d", seed, i),
              ts,
              "u" + rnd.nextInt(users),
              kinds[rnd.nextInt(5)],
              amount,
              "i" + rnd.nextInt(8)));
    }
    return out;
  }
}
