package io.janus.engine.compute;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.testing.TestGroups;
import org.junit.jupiter.api.Test;

/** Malformed events are reported with the field and the value, never thrown. */
class EventParserTest {
  private final EventParser parser = new EventParser(TestGroups.SOURCE);

  @Test
  void parsesAWellFormedEvent() {
    EventParser.Result r = parser.parse("{\"id\":\"e1\",\"ts\":\"2024-01-01T00:00:01.500Z\",\"user\":\"u1\",\"kind\":\"view\",\"amount\":2.5,\"extra\":1}");
    assertThat(r.ok()).isTrue();
    assertThat(r.event().ts).isEqualTo(1704067201500L);
    assertThat(r.event().values).containsExactly("e1", 1704067201500L, "u1", "view", 2.5, null, null);
  }

  @Test
  void namesWhatIsWrong() {
    assertThat(parser.parse("{\"id\":\"e1\",\"ts\":\"2024-01-01T00:00:00Z\"").error()).startsWith("not valid JSON");
    assertThat(parser.parse("[1,2]").error()).isEqualTo("not a JSON object");
    assertThat(parser.parse("{\"ts\":\"2024-01-01T00:00:00Z\",\"user\":\"u\"}").error()).isEqualTo("missing required field 'id'");
    assertThat(parser.parse("{\"id\":\"e\",\"ts\":\"yesterday\",\"user\":\"u\"}").error())
        .isEqualTo("field 'ts' must be an ISO-8601 timestamp, got \"yesterday\"");
    assertThat(parser.parse("{\"id\":\"e\",\"ts\":\"2024-01-01T00:00:00Z\",\"user\":\"u\",\"amount\":\"abc\"}").error())
        .isEqualTo("field 'amount' must be a number, got \"abc\"");
  }

  @Test
  void enforcesAllowedValuesOfTheShippedSource() {
    EventParser shipped = new EventParser(io.janus.engine.definition.DefinitionLoader.parseSource("""
        kind: source
        name: s
        event_time: t
        event_id: id
        fields:
          id: string
          t: timestamp
          event_type: {type: string, values: [page_view, click]}
          device.os: string
        """, "s.yaml"));
    assertThat(shipped.parse("{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"event_type\":\"hover\"}").error())
        .isEqualTo("field 'event_type' has value 'hover', expected one of [page_view, click]");
    EventParser.Result nested = shipped.parse("{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"event_type\":\"click\",\"device\":{\"os\":\"ios\"}}");
    assertThat(nested.event().values[3]).isEqualTo("ios");
  }
}
