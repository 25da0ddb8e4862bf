package io.janus.engine.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.DefinitionLoader;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.testing.TestGroups;
import org.junit.jupiter.api.Test;

/** Event times read from raw payloads, for watermarks inside the source. */
class PayloadEventTimeTest {
  @Test
  void readsTheEventTimeAndNothingElse() {
    PayloadEventTime t = new PayloadEventTime(TestGroups.SOURCE);
    assertThat(
            t.extractTimestamp("{\"id\":\"a\",\"ts\":\"2024-01-01T00:00:01Z\",\"user\":\"u\"}", 7))
        .isEqualTo(1_704_067_201_000L);
    assertThat(
            t.extractTimestamp(
                "{\"nested\":{\"ts\":1},\"list\":[1,{\"ts\":2}],\"ts\":1704067201000}", 7))
        .isEqualTo(1_704_067_201_000L);
    assertThat(t.extractTimestamp("{\"ts\":\"never\"}", 7)).isEqualTo(Long.MIN_VALUE);
    assertThat(t.extractTimestamp("{not json", 7)).isEqualTo(Long.MIN_VALUE);
    assertThat(t.extractTimestamp("[1,2]", 7)).isEqualTo(Long.MIN_VALUE);
    assertThat(t.extractTimestamp("{\"id\":\"a\"}", 7)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void followsADottedEventTimePath() {
    SourceDefinition nested =
        DefinitionLoader.parseSource(
            """
        kind: source
        name: n
        event_time: meta.at
        event_id: id
        required: [id, meta.at]
        fields:
          id: string
          meta.at: timestamp
        """,
            "nested.yaml");
    PayloadEventTime t = new PayloadEventTime(nested);
    assertThat(
            t.extractTimestamp(
                "{\"at\":\"x\",\"meta\":{\"x\":[1],\"at\":\"2024-01-01T00:00:00Z\"}}", 0))
        .isEqualTo(1_704_067_200_000L);
    assertThat(t.extractTimestamp("{\"meta\":\"flat\"}", 0)).isEqualTo(Long.MIN_VALUE);
  }
}
