package io.janus.engine.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.MachineRunner;
import io.janus.engine.core.testing.Reference;
import io.janus.engine.core.testing.TestGroups;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kind of intermediate state survives a checkpoint round trip without changing a value, and a
 * copy shares nothing a later input could change.
 */
class KeyStateCodecTest {
  @Test
  void copiesShareNothingWithTheirOriginalsAndChangeNoValue() {
    for (String yaml : List.of(TestGroups.MIX_YAML, TestGroups.ACTIVITY_YAML)) {
      FeatureGroup g = TestGroups.group(yaml);
      List<Event> events = TestGroups.randomEvents(2000, 19, 10, "2024-01-01", "2024-01-02");
      assertThat(MachineRunner.run(g, events, MachineRunner.Between.COPY))
          .containsExactlyInAnyOrderElementsOf(Reference.rows(g, events));
    }
  }

  @Test
  void restoringAfterEveryInputChangesNothing() {
    FeatureGroup g = TestGroups.group(TestGroups.MIX_YAML);
    List<Event> events = TestGroups.randomEvents(2000, 13, 10, "2024-01-01");
    assertThat(MachineRunner.run(g, events, MachineRunner.Between.RESTORE))
        .containsExactlyInAnyOrderElementsOf(Reference.rows(g, events));
  }

  @Test
  void dormantKeysKeepTheirHistoryFlag() {
    FeatureGroup g = TestGroups.group(TestGroups.ACTIVITY_YAML);
    List<Event> events = TestGroups.randomEvents(1500, 17, 10, "2024-01-01", "2024-01-02");
    assertThat(MachineRunner.run(g, events, MachineRunner.Between.RESTORE))
        .containsExactlyInAnyOrderElementsOf(Reference.rows(g, events));
  }
}
