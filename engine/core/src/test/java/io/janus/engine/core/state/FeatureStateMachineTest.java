package io.janus.engine.core.state;

import static io.janus.engine.core.testing.TestGroups.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.testing.MachineRunner;
import io.janus.engine.core.testing.Reference;
import io.janus.engine.core.testing.Reference.Row;
import io.janus.engine.core.testing.TestGroups;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DESIGN §4 semantics of the per-key state machine against hand-computed rows. */
class FeatureStateMachineTest {
  private static final FeatureGroup VIEWS =
      TestGroups.group(
          """
      name: views
      version: 1
      entity: [user]
      source: clicks
      hop: 1m
      ttl: 7d
      features:
        - {name: views_5m, agg: count, where: "kind == 'view'", window: 5m}
      """);

  private static long t(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  private static Row row(String key, String iso, Object... values) {
    return new Row(key, t(iso), Arrays.asList(values));
  }

  @Test
  void exactHeadAndTailOnTheHopGrid() {
    List<Row> rows =
        MachineRunner.run(
            VIEWS,
            List.of(
                event("e1", "2024-01-01T00:00:30Z", "u1", "view", null, null),
                event("e2", "2024-01-01T00:02:10Z", "u1", "view", null, null)));
    // e1 counts from 00:00:30 until ceil_1m(00:05:30) = 00:06; e2 until ceil_1m(00:07:10) = 00:08.
    assertThat(rows)
        .containsExactly(
            row("u1", "2024-01-01T00:00:30Z", 1L),
            row("u1", "2024-01-01T00:02:10Z", 2L),
            row("u1", "2024-01-01T00:06:00Z", 1L),
            row("u1", "2024-01-01T00:08:00Z", 0L));
  }

  @Test
  void eventOnTheGridExpiresExactlyOneWindowLater() {
    List<Row> rows =
        MachineRunner.run(
            VIEWS, List.of(event("e1", "2024-01-01T00:01:00Z", "u1", "view", null, null)));
    assertThat(rows)
        .containsExactly(
            row("u1", "2024-01-01T00:01:00Z", 1L), row("u1", "2024-01-01T00:06:00Z", 0L));
  }

  @Test
  void noRowWhenNothingChanges() {
    List<Row> rows =
        MachineRunner.run(
            VIEWS,
            List.of(
                event("e1", "2024-01-01T00:00:30Z", "u1", "view", null, null),
                event("e2", "2024-01-01T00:01:00Z", "u1", "click", null, null),
                event("e3", "2024-01-01T00:06:00Z", "u1", "view", null, null)));
    // The click changes nothing; at 00:06 e1 expires and e3 arrives: still 1, so no row.
    assertThat(rows)
        .containsExactly(
            row("u1", "2024-01-01T00:00:30Z", 1L), row("u1", "2024-01-01T00:11:00Z", 0L));
  }

  @Test
  void firstRowIsAlwaysWrittenEvenWhenEmpty() {
    List<Row> rows =
        MachineRunner.run(
            VIEWS, List.of(event("e1", "2024-01-01T00:00:30Z", "u1", "click", null, null)));
    assertThat(rows).containsExactly(row("u1", "2024-01-01T00:00:30Z", 0L));
  }

  @Test
  void emptyRowHasZeroCountsAndSumsAndNullOthers() {
    FeatureGroup g =
        TestGroups.group(
            """
        name: money
        version: 1
        entity: [user]
        source: clicks
        hop: 1m
        ttl: 1d
        features:
          - {name: n,   agg: count, window: 2m}
          - {name: s,   agg: sum, of: amount, window: 2m}
          - {name: a,   agg: avg, of: amount, window: 2m}
          - {name: lo,  agg: min, of: amount, window: 2m}
          - {name: hi,  agg: max, of: amount, window: 2m}
          - {name: l,   agg: last, of: item, window: 2m}
          - {name: r,   agg: ratio, num: s, den: n}
        """);
    List<Row> rows =
        MachineRunner.run(
            g,
            List.of(
                event("e1", "2024-01-01T00:00:00Z", "u1", "buy", 4.0, "x"),
                event("e2", "2024-01-01T00:00:30Z", "u1", "buy", 2.0, "y")));
    assertThat(rows)
        .containsExactly(
            row("u1", "2024-01-01T00:00:00Z", 1L, 4.0, 4.0, 4.0, 4.0, "x", 4.0),
            row("u1", "2024-01-01T00:00:30Z", 2L, 6.0, 3.0, 2.0, 4.0, "y", 3.0),
            row("u1", "2024-01-01T00:02:00Z", 1L, 2.0, 2.0, 2.0, 2.0, "y", 2.0),
            row("u1", "2024-01-01T00:03:00Z", 0L, 0.0, null, null, null, null, null));
  }

  @Test
  void lastBreaksTiesByGreaterEventId() {
    FeatureGroup g =
        TestGroups.group(
            """
        name: lastitem
        version: 1
        entity: [user]
        source: clicks
        hop: 1m
        ttl: 1d
        features:
          - {name: last_item, agg: last, of: item, window: lifetime}
        """);
    List<Row> rows =
        MachineRunner.run(
            g,
            List.of(
                event("e9", "2024-01-01T00:00:00Z", "u1", "view", null, "late-id-wins"),
                event("e1", "2024-01-01T00:00:00Z", "u1", "view", null, "small-id")));
    assertThat(rows).containsExactly(row("u1", "2024-01-01T00:00:00Z", "late-id-wins"));
  }

  @Test
  void lifetimeWindowsNeverExpire() {
    FeatureGroup g =
        TestGroups.group(
            """
        name: sess
        version: 1
        entity: [session]
        source: clicks
        hop: 1m
        ttl: 1d
        features:
          - {name: events, agg: count, window: lifetime}
          - {name: dur, agg: duration, window: lifetime}
          - {name: items, agg: approx_count_distinct, of: item, window: lifetime}
        """);
    List<Row> rows =
        MachineRunner.run(
            g,
            List.of(
                event("e1", "2024-01-01T10:00:00Z", "u1", "view", null, "a"),
                event("e2", "2024-01-01T10:00:30Z", "u1", "view", null, "b"),
                event("e3", "2024-01-03T10:00:00Z", "u1", "view", null, "a")));
    assertThat(rows)
        .containsExactly(
            row("s-u1", "2024-01-01T10:00:00Z", 1L, 0.0, 1L),
            row("s-u1", "2024-01-01T10:00:30Z", 2L, 30.0, 2L),
            row("s-u1", "2024-01-03T10:00:00Z", 3L, 172800.0, 2L));
  }

  @Test
  void ratioOverZeroIsNull() {
    FeatureGroup g =
        TestGroups.group(
            """
        name: cr
        version: 1
        entity: [user]
        source: clicks
        hop: 1m
        ttl: 1d
        features:
          - {name: buys, agg: count, where: "kind == 'buy'", window: 10m}
          - {name: views, agg: count, where: "kind == 'view'", window: 5m}
          - {name: cr, agg: ratio, num: buys, den: views}
        """);
    List<Row> rows =
        MachineRunner.run(
            g,
            List.of(
                event("e1", "2024-01-01T00:00:00Z", "u1", "view", null, null),
                event("e2", "2024-01-01T00:01:00Z", "u1", "buy", null, null)));
    assertThat(rows)
        .containsExactly(
            row("u1", "2024-01-01T00:00:00Z", 0L, 1L, 0.0),
            row("u1", "2024-01-01T00:01:00Z", 1L, 1L, 1.0),
            row("u1", "2024-01-01T00:05:00Z", 1L, 0L, null),
            row("u1", "2024-01-01T00:11:00Z", 0L, 0L, null));
  }

  @Test
  void keyCrossingMidnightExpiresOnTheNextDay() {
    List<Row> rows =
        MachineRunner.run(
            VIEWS, List.of(event("e1", "2024-01-01T23:58:20Z", "u1", "view", null, null)));
    assertThat(rows)
        .containsExactly(
            row("u1", "2024-01-01T23:58:20Z", 1L), row("u1", "2024-01-02T00:04:00Z", 0L));
  }

  @Test
  void matchesTheBruteForceReferenceOnRandomEvents() {
    FeatureGroup g = TestGroups.group(TestGroups.MIX_YAML);
    List<io.janus.engine.core.event.Event> events =
        TestGroups.randomEvents(3000, 7, 12, "2024-01-01");
    List<Row> expected = Reference.rows(g, events);
    assertThat(expected).hasSizeGreaterThan(3000);
    assertThat(MachineRunner.run(g, events)).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aRepeatedEventIdCountsOnceThroughRestoresAndCopies() {
    FeatureGroup g = TestGroups.group(TestGroups.MIX_YAML);
    List<io.janus.engine.core.event.Event> events =
        TestGroups.randomEvents(2000, 13, 10, "2024-01-01");
    List<io.janus.engine.core.event.Event> withRepeats = new java.util.ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      withRepeats.add(events.get(i));
      if (i % 7 == 0) withRepeats.add(events.get(i)); // a producer retry: same id, same time
    }
    List<Row> expected = Reference.rows(g, events);
    assertThat(Reference.rows(g, withRepeats)).as("the repeats matter").isNotEqualTo(expected);
    for (MachineRunner.Between between : MachineRunner.Between.values()) {
      assertThat(MachineRunner.run(g, withRepeats, between))
          .as(between.name())
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void anEventIdIsRememberedWhilePendingAndForgottenOnceItsTimeFired() throws Exception {
    io.janus.engine.core.plan.GroupPlan plan = io.janus.engine.core.plan.GroupPlan.of(VIEWS);
    FeatureStateMachine m = new FeatureStateMachine(plan);
    KeyState s = m.newState();
    long t0 = t("2024-01-01T00:00:00Z");
    // Many pending inputs on one key, so the ids are swept only now and then.
    for (int i = 0; i < 200; i++)
      assertThat(
              m.add(s, new Contribution("u", t0 + i * 1000L, "e" + i, 1L, new double[] {1}, null)))
          .isTrue();
    assertThat(m.add(s, new Contribution("u", t0, "e0", 1L, new double[] {1}, null)))
        .as("a repeat of a pending id")
        .isFalse();
    List<Object> rows = new java.util.ArrayList<>();
    m.advance(s, t0 + 99_000L, true, (vf, values) -> rows.add(values[0]));
    assertThat(rows).isNotEmpty();
    assertThat(m.add(s, new Contribution("u", t0 + 150_000L, "e150", 1L, new double[] {1}, null)))
        .as("a repeat of an id still pending")
        .isFalse();
    assertThat(m.add(s, new Contribution("u", t0 + 300_000L, "e5", 1L, new double[] {1}, null)))
        .as("an id whose time fired is forgotten")
        .isTrue();
    // Checkpointed state holds only ids still pending (100..199, and e5 again).
    KeyStateCodec codec = new KeyStateCodec(plan);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    codec.write(s, new java.io.DataOutputStream(bytes));
    KeyState restored =
        codec.read(
            new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
    assertThat(restored.pendingIds).hasSize(101).containsKeys("e100", "e199", "e5");
    assertThat(m.add(restored, new Contribution("u", t0 + 1000L, "e1", 1L, new double[] {1}, null)))
        .as("forgotten after a restore too (a caller refuses it as late)")
        .isTrue();
  }

  @Test
  void dormantKeysMatchTheReference() {
    FeatureGroup g = TestGroups.group(TestGroups.ACTIVITY_YAML);
    List<io.janus.engine.core.event.Event> events =
        TestGroups.randomEvents(3000, 11, 25, "2024-01-01", "2024-01-02", "2024-01-03");
    assertThat(MachineRunner.run(g, events))
        .containsExactlyInAnyOrderElementsOf(Reference.rows(g, events));
  }
}
