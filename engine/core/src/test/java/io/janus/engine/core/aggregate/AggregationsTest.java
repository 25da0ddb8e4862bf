package io.janus.engine.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.MachineRunner;
import io.janus.engine.core.testing.Reference;
import io.janus.engine.core.testing.TestGroups;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry of aggregations, and an aggregation added as one registered class. */
class AggregationsTest {
  @Test
  void theBuiltInNamesComeFirstAndUnknownNamesListThem() {
    assertThat(Aggregations.names())
        .startsWith(
            "count",
            "sum",
            "avg",
            "min",
            "max",
            "last",
            "approx_count_distinct",
            "duration",
            "ratio")
        .contains("max_abs");
    assertThat(Aggregations.named(" SUM ").name()).isEqualTo("sum");
    assertThatThrownBy(() -> Aggregations.named("median"))
        .hasMessageStartingWith("unknown aggregation 'median' (expected one of count, sum, avg");
  }

  @Test
  void anAddedAggregationComputesWindowsAndSurvivesCheckpointsLikeABuiltInOne() {
    // max_abs(amount) must equal the built-in max of |amount| in every row, with the key's state
    // written and read back (by the aggregator's own write/read) after every input.
    FeatureGroup g =
        TestGroups.group(
            """
            name: custom
            version: 1
            entity: [user]
            source: clicks
            hop: 1m
            ttl: 1d
            features:
              - {name: added,   agg: max_abs, of: amount, window: 10m}
              - {name: builtin, agg: max, of: "amount < 0 ? -amount : amount", window: 10m}
            """);
    List<Event> events = TestGroups.randomEvents(1500, 23, 8, "2024-01-01");
    List<Reference.Row> rows = MachineRunner.run(g, events, MachineRunner.Between.RESTORE);
    assertThat(rows).hasSizeGreaterThan(100);
    for (Reference.Row r : rows) {
      assertThat(r.values().get(0)).as("row %s", r).isEqualTo(r.values().get(1));
    }
    assertThat(rows).anyMatch(r -> r.values().get(0) != null);
  }
}
