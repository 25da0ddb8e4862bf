package io.janus.engine.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.testing.TestGroups;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Malformed events are reported with the field and the value, never thrown. */
class EventParserTest {
  private final EventParser parser = new EventParser(TestGroups.SOURCE);

  @Test
  void parsesAWellFormedEvent() {
    EventParser.Result r =
        parser.parse(
            "{\"id\":\"e1\",\"ts\":\"2024-01-01T00:00:01.500Z\",\"user\":\"u1\",\"kind\":\"view\",\"amount\":2.5,\"extra\":1}");
    assertThat(r.ok()).isTrue();
    assertThat(r.event().ts).isEqualTo(1704067201500L);
    assertThat(r.event().values)
        .containsExactly("e1", 1704067201500L, "u1", "view", 2.5, null, null);
  }

  @Test
  void namesWhatIsWrong() {
    assertThat(parser.parse("{\"id\":\"e1\",\"ts\":\"2024-01-01T00:00:00Z\"").error())
        .startsWith("not valid JSON");
    assertThat(parser.parse("[1,2]").error()).isEqualTo("not a JSON object");
    assertThat(parser.parse("{\"ts\":\"2024-01-01T00:00:00Z\",\"user\":\"u\"}").error())
        .isEqualTo("missing required field 'id'");
    assertThat(parser.parse("{\"id\":\"e\",\"ts\":\"yesterday\",\"user\":\"u\"}").error())
        .isEqualTo("field 'ts' must be an ISO-8601 timestamp, got \"yesterday\"");
    assertThat(
            parser
                .parse(
                    "{\"id\":\"e\",\"ts\":\"2024-01-01T00:00:00Z\",\"user\":\"u\",\"amount\":\"abc\"}")
                .error())
        .isEqualTo("field 'amount' must be a number, got \"abc\"");
  }

  @Test
  void enforcesAllowedValuesOfTheShippedSource() {
    EventParser shipped =
        new EventParser(
            io.janus.engine.core.definition.DefinitionLoader.parseSource(
                """
        kind: source
        name: s
        event_time: t
        event_id: id
        fields:
          id: string
          t: timestamp
          event_type: {type: string, values: [page_view, click]}
          device.os: string
        """,
                "s.yaml"));
    // The event time is needed even where the source does not list it as required.
    assertThat(shipped.parse("{\"id\":\"e\",\"event_type\":\"click\"}").error())
        .isEqualTo("missing event time field 't'");
    assertThat(shipped.parse("{\"id\":\"e\",\"t\":null}").error())
        .isEqualTo("missing event time field 't'");
    // So is the event id: without one, nothing could count the event once.
    assertThat(shipped.parse("{\"t\":\"2024-01-01T00:00:00Z\",\"event_type\":\"click\"}").error())
        .isEqualTo("missing event id field 'id'");
    assertThat(
            shipped
                .parse("{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"event_type\":\"hover\"}")
                .error())
        .isEqualTo("field 'event_type' has value 'hover', expected one of [page_view, click]");
    EventParser.Result nested =
        shipped.parse(
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"event_type\":\"click\",\"device\":{\"os\":\"ios\"}}");
    assertThat(nested.event().values[3]).isEqualTo("ios");
  }

  /**
   * The one-pass parse and the tree parse give the same event or the same reason, whatever the
   * payload.
   */
  @Test
  void streamingAndTreeParsesAgree() {
    EventParser nested =
        new EventParser(
            io.janus.engine.core.definition.DefinitionLoader.parseSource(
                """
        kind: source
        name: s
        event_time: t
        event_id: id
        required: [id, t, n]
        fields:
          id: string
          t: timestamp
          n: long
          ok: boolean
          kind: {type: string, values: [a, b]}
          device.os: string
          device.geo.lat: double
        """,
                "s.yaml"));
    String base = "\"id\":\"e\",\"t\":\"2024-02-29T23:59:59.999Z\",\"n\":3";
    List<String> payloads =
        List.of(
            "{" + base + "}",
            "{"
                + base
                + ",\"ok\":true,\"kind\":\"a\",\"device\":{\"os\":\"ios\",\"geo\":{\"lat\":1.5}}}",
            "{" + base + ",\"device\":{\"geo\":{\"lat\":7}},\"x\":[1,{\"y\":2}],\"z\":{\"id\":1}}",
            "{" + base + ",\"device\":null,\"ok\":null}",
            "{" + base + ",\"device\":\"phone\"}",
            "{" + base + ",\"device\":{\"os\":1}}",
            "{" + base + ",\"device\":{\"os\":\"a\"},\"device\":{}}",
            "{" + base + ",\"n\":4}",
            "{" + base + ",\"kind\":\"c\"}",
            "{" + base + ",\"ok\":\"yes\"}",
            "{\"id\":\"e\",\"t\":1700000000123,\"n\":-9}",
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00+02:00\",\"n\":1}",
            "{\"id\":\"e\",\"t\":\"2024-13-01T00:00:00Z\",\"n\":1}",
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"n\":1.5}",
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"n\":123456789012345678901234}",
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"n\":null}",
            "{\"id\":7,\"t\":\"2024-01-01T00:00:00Z\",\"n\":1}",
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\"}",
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"n\":1} trailing",
            "{\"id\":\"e\",\"t\":\"2024-01-01T00:00:00Z\",\"n\":1",
            "[1]",
            "\"text\"",
            "42",
            "{}",
            "nonsense");
    for (String payload : payloads) {
      EventParser.Result tree = nested.parseTree(payload);
      EventParser.Result both = nested.parse(payload);
      assertThat(both.error()).as(payload).isEqualTo(tree.error());
      if (tree.ok()) {
        assertThat(both.event().ts).as(payload).isEqualTo(tree.event().ts);
        assertThat(both.event().values).as(payload).containsExactly(tree.event().values);
      }
    }
    // The one-pass parse really is used for well-formed events, and declines the others.
    assertThat(nested.stream(payloads.get(1))).isNotNull();
    assertThat(nested.stream(payloads.get(6))).isNull();
    assertThat(nested.stream(payloads.get(8))).isNull();
  }

  /** The fast UTC form gives what Instant.parse gives, and leaves every other form to it. */
  @Test
  void readsUtcInstantsLikeInstantParse() {
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 20_000; i++) {
      long seconds = random.nextLong(-62_000_000_000L, 253_000_000_000L);
      java.time.Instant t =
          java.time.Instant.ofEpochSecond(
              seconds, random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
      String text = t.toString();
      if (random.nextBoolean() && text.contains("."))
        text =
            text.substring(
                    0, text.length() - 1 - random.nextInt(text.length() - text.indexOf('.') - 2))
                + "Z";
      long expected = java.time.Instant.parse(text).toEpochMilli();
      assertThat(EventParser.parseTime(text)).as(text).isEqualTo(expected);
      if (text.length() >= 20
          && text.length() <= 30
          && !text.startsWith("+")
          && !text.startsWith("-")) {
        assertThat(EventParser.utcInstant(text)).as(text).isEqualTo(expected);
      }
    }
    for (String odd :
        List.of(
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01t00:00:00z",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00.1234567890Z")) {
      assertThat(EventParser.utcInstant(odd)).as(odd).isEqualTo(Long.MIN_VALUE);
      Long reference;
      try {
        reference = java.time.Instant.parse(odd).toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        try {
          reference = java.time.OffsetDateTime.parse(odd).toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException e2) {
          reference = null;
        }
      }
      assertThat(EventParser.parseTime(odd)).as(odd).isEqualTo(reference);
    }
  }

  @Test
  void poisonOfEveryClassIsARefusalNamingFieldValueAndRule() {
    long now = java.time.Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();
    String ok = "{\"id\":\"a\",\"ts\":\"2026-06-01T12:00:00Z\",\"user\":\"u1\",\"amount\":1.5}";
    assertThat(parser.parse(ok, now).ok()).isTrue();
    assertThat(parser.parse(ok.replace("1.5", "1e400"), now).error())
        .isEqualTo(
            "field 'amount' has value Infinity: not a finite number (beyond the range of a double)");
    assertThat(
            parser
                .parse(ok.replace("2026-06-01T12:00:00Z", "+300000000-01-01T00:00:00Z"), now)
                .error())
        .isEqualTo("field 'ts' must be an ISO-8601 timestamp, got \"+300000000-01-01T00:00:00Z\"");
    assertThat(
            parser.parse(ok.replace("\"2026-06-01T12:00:00Z\"", "99999999999999999"), now).error())
        .isEqualTo(
            "field 'ts' has value 99999999999999999, outside the supported range 0001-01-01..9999-12-31");
    // One hour ahead is allowed, one more millisecond is not; without a clock nothing is checked.
    assertThat(parser.parse(ok.replace("12:00:00Z", "13:00:00Z"), now).ok()).isTrue();
    assertThat(parser.parse(ok.replace("12:00:00Z", "13:00:00.001Z"), now).error())
        .isEqualTo(
            "field 'ts' has value 2026-06-01T13:00:00.001Z, more than max_future_skew (1h) ahead of"
                + " the clock 2026-06-01T12:00:00Z");
    assertThat(parser.parse(ok.replace("2026", "2099")).ok()).isTrue();
    assertThat(parser.parse(EventParser.NULL_VALUE, now).error()).contains("Kafka tombstone");
    String big = ok.replace("\"u1\"", "\"" + "x".repeat(1 << 20) + "\"");
    assertThat(parser.parse(big, now).error())
        .startsWith("payload of 1048637 bytes is over max_payload_bytes (1048576)");
    assertThat(parser.oversized(ok)).isZero();
  }
}
