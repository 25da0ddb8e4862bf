package io.janus.engine.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.testing.TestGroups;
import org.junit.jupiter.api.Test;

/** What compute refuses: expressions that fail at run time or give non-finite numbers. */
class ContributionExtractorTest {
  static final FeatureGroup G =
      TestGroups.group(
          """
          name: checked
          version: 1
          entity: [user]
          source: clicks
          hop: 1m
          ttl: 1d
          features:
            - {name: per_unit, agg: sum, of: "amount / (amount - 2)", window: 1h}
            - {name: scaled, agg: sum, of: "amount * 1e308", where: "kind == 'big'", window: 1h}
            - {name: doubled, agg: sum, of: "amount * 2", window: 1h}
          """);

  final ContributionExtractor x = new ContributionExtractor(GroupPlan.of(G));

  @Test
  void divisionByZeroOrNullIsRefusedNamingGroupExpressionAndEvent() {
    assertThatThrownBy(() -> x.extract(TestGroups.event("e1", 0L, "u1", "view", 2.0, null)))
        .isInstanceOf(ContributionExtractor.EventRejected.class)
        .hasMessage(
            "group checked: of 'amount / (amount - 2)' fails on event e1: division by zero");
    // A null amount: the aggregations skip a null 'of', as before (no division happens).
    assertThat(x.extract(TestGroups.event("e2", 0L, "u1", "view", null, null))).isNotNull();
  }

  @Test
  void aNonFiniteResultIsRefused() {
    assertThatThrownBy(() -> x.extract(TestGroups.event("e3", 0L, "u1", "big", 10.0, null)))
        .hasMessage(
            "group checked: of 'amount * 1e308' fails on event e3: the value Infinity is not a"
                + " finite number");
  }

  /**
   * The fields a reader may not skip: entity, time, id and whatever the expressions read; an
   * extraction from an event with only those fields equals one from the whole event.
   */
  @Test
  void theFieldsTheGroupReadsAreEnoughToExtract() {
    assertThat(GroupPlan.of(G).sourceFields())
        .containsExactlyInAnyOrder("user", "ts", "id", "amount", "kind");
    var whole = TestGroups.event("e5", 5L, "u1", "view", 3.0, "i9");
    Object[] only = new Object[whole.values.length];
    for (String f : GroupPlan.of(G).sourceFields()) {
      int i = TestGroups.SOURCE.indexOf(f);
      only[i] = whole.values[i];
    }
    Contribution a = x.extract(whole);
    Contribution b = x.extract(new io.janus.engine.core.event.Event(whole.ts, whole.id, only));
    assertThat(b.key).isEqualTo(a.key);
    assertThat(b.num).containsExactly(a.num);
  }

  @Test
  void ordinaryEventsContribute() {
    Contribution c = x.extract(TestGroups.event("e4", 5L, "u1", "view", 3.0, null));
    assertThat(c.key).isEqualTo("u1");
    assertThat(c.num).containsExactly(3.0, 0.0, 6.0);
  }
}
