package io.janus.features.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.features.generate.ClickstreamGenerator.MalformedKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClickstreamGeneratorTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern TS =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  private static final Pattern PRICE = Pattern.compile("\"price\":\\d+\\.\\d{2},");
  private static final Pattern EVENT_ID = Pattern.compile("e\\d+-\\d{8}-\\d{12}");
  private static final Pattern USER_ID = Pattern.compile("u\\d{5}");
  private static final Pattern SESSION_ID = Pattern.compile("s\\d+");
  private static final Pattern PRODUCT_ID = Pattern.compile("p\\d{4}");
  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
  private static final List<String> TEXT_FIELDS =
      List.of(
          "event_id", "event_ts", "user_id", "session_id", "event_type", "product_id", "currency");

  /** Default configuration apart from the size: shared by the read-only checks. */
  private static final ClickstreamGenerator DEFAULT =
      ClickstreamGenerator.builder().events(100_000).build();

  private static List<String> lines;
  private static List<Event> wellFormed;
  private static Map<MalformedKind, Integer> malformed;

  /** A well-formed line, with its position in the output. */
  record Event(
      int line,
      String id,
      long ts,
      String user,
      String session,
      String type,
      String product,
      double price,
      String currency,
      boolean mobile,
      String os,
      String country,
      String city) {}

  @BeforeAll
  static void generate() {
    lines = toList(DEFAULT.lines());
    wellFormed = new ArrayList<>();
    malformed = new EnumMap<>(MalformedKind.class);
    for (int i = 0; i < lines.size(); i++) {
      Inspection x = inspect(lines.get(i));
      if (x.kind() == null) {
        wellFormed.add(toEvent(i, x.node()));
      } else {
        malformed.merge(x.kind(), 1, Integer::sum);
      }
    }
  }

  @Test
  void sameConfigurationYieldsSameLines() {
    ClickstreamGenerator g = ClickstreamGenerator.builder().events(20_000).build();
    List<String> first = toList(g.lines());

    assertThat(toList(g.lines())).isEqualTo(first);
    assertThat(toList(ClickstreamGenerator.builder().events(20_000).build().lines()))
        .isEqualTo(first);
    assertThat(g.toBuilder().build().stream().toList()).isEqualTo(first);
  }

  @Test
  void differentSeedsYieldDifferentLines() {
    List<String> a = toList(ClickstreamGenerator.builder().events(1_000).seed(1).build().lines());
    List<String> b = toList(ClickstreamGenerator.builder().events(1_000).seed(2).build().lines());

    assertThat(a).hasSize(1_000).isNotEqualTo(b);
    assertThat(a.get(0)).isNotEqualTo(b.get(0));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 7, 1_000, 12_345})
  void emitsExactlyTheConfiguredNumberOfLines(long events, @TempDir Path dir) throws IOException {
    ClickstreamGenerator g = ClickstreamGenerator.builder().events(events).build();
    List<String> expected = toList(g.lines());
    Path file = dir.resolve("events.jsonl");

    assertThat(expected).hasSize((int) events);
    assertThat(g.stream().count()).isEqualTo(events);
    assertThat(g.writeTo(file)).isEqualTo(events);
    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(Files.readString(file))
        .isEqualTo(expected.isEmpty() ? "" : String.join("\n", expected) + "\n");
  }

  @Test
  void iteratorRefusesToGoPastTheEnd() {
    Iterator<String> it = ClickstreamGenerator.builder().events(1).build().lines();
    it.next();

    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void wellFormedLinesFollowTheSchema() throws JsonProcessingException {
    assertThat(wellFormed).hasSizeGreaterThan(99_000);
    // Violations are collected rather than asserted one by one: 100k lines of AssertJ is slow.
    List<String> violations = new ArrayList<>();
    Map<String, String> userAttributes = new HashMap<>();
    Map<String, String> productAttributes = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (Event e : wellFormed) {
      String raw = lines.get(e.line());
      JsonNode n = MAPPER.readTree(raw);
      check(
          violations,
          raw,
          "key order",
          toList(n.fieldNames()).equals(ClickstreamGenerator.FIELDS)
              && toList(n.get("device").fieldNames()).equals(List.of("mobile", "os"))
              && toList(n.get("geo").fieldNames()).equals(List.of("country", "city")));
      check(
          violations,
          raw,
          "types",
          TEXT_FIELDS.stream().allMatch(f -> n.get(f).isTextual())
              && n.get("price").isNumber()
              && n.at("/device/mobile").isBoolean()
              && n.at("/device/os").isTextual()
              && n.at("/geo/country").isTextual()
              && n.at("/geo/city").isTextual());
      check(violations, raw, "price has 2 decimals", PRICE.matcher(raw).find());
      check(
          violations,
          raw,
          "ids",
          EVENT_ID.matcher(e.id()).matches()
              && USER_ID.matcher(e.user()).matches()
              && SESSION_ID.matcher(e.session()).matches()
              && PRODUCT_ID.matcher(e.product()).matches());
      check(
          violations,
          raw,
          "values",
          ClickstreamGenerator.EVENT_TYPES.contains(e.type())
              && (e.currency().equals("USD") || e.currency().equals("EUR"))
              && e.price() > 0
              && COUNTRY.matcher(e.country()).matches()
              && !e.city().isBlank()
              && !e.os().isBlank());
      check(violations, raw, "unique event_id", ids.add(e.id()));
      // A user keeps one device and place; a product keeps one price.
      String user = e.mobile() + "/" + e.os() + "/" + e.country() + "/" + e.city();
      check(
          violations,
          raw,
          "fixed user attributes",
          userAttributes.computeIfAbsent(e.user(), k -> user).equals(user));
      String product = e.price() + " " + e.currency();
      check(
          violations,
          raw,
          "fixed product attributes",
          productAttributes.computeIfAbsent(e.product(), k -> product).equals(product));
    }

    assertThat(violations).isEmpty();
    assertThat(wellFormed).extracting(Event::mobile).contains(true, false);
    assertThat(wellFormed).extracting(Event::currency).contains("USD", "EUR");
  }

  @Test
  void timestampsStayInTheRange() {
    long from = DEFAULT.startInstant().toEpochMilli();
    long until = DEFAULT.endInstant().toEpochMilli();

    assertThat(DEFAULT.endInstant()).isEqualTo(Instant.parse("2024-01-04T00:00:00Z"));
    assertThat(wellFormed).allSatisfy(e -> assertThat(e.ts()).isBetween(from, until - 1));
  }

  @Test
  void outputIsRoughlyChronologicalOverTheWholeRange() {
    long from = DEFAULT.startInstant().toEpochMilli();
    double span = DEFAULT.endInstant().toEpochMilli() - from;
    int n = wellFormed.size();
    for (double q = 0; q <= 1.0001; q += 0.1) {
      double progress = (wellFormed.get((int) Math.round(q * (n - 1))).ts() - from) / span;
      assertThat(progress).as("time at %.0f%% of the lines", q * 100).isCloseTo(q, within(0.05));
    }
  }

  @Test
  void sessionsAreShortAndBelongToOneUser() {
    Map<String, String> userOf = new HashMap<>();
    Map<String, long[]> spanOf = new HashMap<>();
    for (Event e : wellFormed) {
      assertThat(userOf.computeIfAbsent(e.session(), k -> e.user())).isEqualTo(e.user());
      long[] s = spanOf.computeIfAbsent(e.session(), k -> new long[] {e.ts(), e.ts()});
      s[0] = Math.min(s[0], e.ts());
      s[1] = Math.max(s[1], e.ts());
    }
    long maxMs = ClickstreamGenerator.MAX_SESSION.toMillis();

    assertThat(spanOf.values()).allSatisfy(s -> assertThat(s[1] - s[0]).isLessThanOrEqualTo(maxMs));
    double eventsPerSession = (double) wellFormed.size() / spanOf.size();
    assertThat(eventsPerSession).isBetween(3.0, 20.0);
    // Sessions overlap in time: many are open at once.
    assertThat(spanOf.size()).isGreaterThan(5_000);
  }

  @Test
  void malformedShareIsCloseToTheRate() {
    int total = malformed.values().stream().mapToInt(Integer::intValue).sum();
    // 100k lines at 0.001: expect 100, standard deviation 10.
    assertThat(total).isBetween(60, 140);

    ClickstreamGenerator dirty =
        ClickstreamGenerator.builder().events(50_000).malformedRate(0.02).build();
    Map<MalformedKind, Integer> kinds = new EnumMap<>(MalformedKind.class);
    for (Iterator<String> it = dirty.lines(); it.hasNext(); ) {
      MalformedKind kind = defect(it.next());
      if (kind != null) {
        kinds.merge(kind, 1, Integer::sum);
      }
    }
    int dirtyTotal = kinds.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(dirtyTotal).isBetween(850, 1_150);
    assertThat(kinds.keySet()).containsExactlyInAnyOrder(MalformedKind.values());
    assertThat(kinds.values()).allSatisfy(c -> assertThat(c).isGreaterThan(dirtyTotal / 10));
  }

  @Test
  void malformationOnlyCorruptsLinesInPlace() {
    ClickstreamGenerator clean =
        ClickstreamGenerator.builder().events(5_000).malformedRate(0).build();
    List<String> a = toList(clean.lines());
    List<String> b = toList(clean.toBuilder().malformedRate(0.05).build().lines());

    assertThat(a).allSatisfy(l -> assertThat(defect(l)).as(l).isNull());
    int differing = 0;
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equals(b.get(i))) {
        differing++;
        assertThat(defect(b.get(i))).as(b.get(i)).isNotNull();
      }
    }
    assertThat(differing).isBetween(150, 350);
  }

  @Test
  void funnelStepsFollowEachOtherPerSessionAndProduct() {
    ClickstreamGenerator clean =
        ClickstreamGenerator.builder().events(50_000).malformedRate(0).build();
    Map<String, long[]> firstStep = new HashMap<>();
    Map<String, Integer> typeCounts = new HashMap<>();
    int i = 0;
    for (Iterator<String> it = clean.lines(); it.hasNext(); i++) {
      Event e = parse(i, it.next());
      long[] first =
          firstStep.computeIfAbsent(
              e.session() + "|" + e.product(),
              k -> new long[] {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE});
      int step = ClickstreamGenerator.EVENT_TYPES.indexOf(e.type());
      first[step] = Math.min(first[step], e.ts());
      typeCounts.merge(e.type(), 1, Integer::sum);
    }

    List<String> violations = new ArrayList<>();
    firstStep.forEach(
        (key, first) -> {
          for (int step = 1; step < 4; step++) {
            // A later step needs an earlier (or simultaneous) predecessor on the same product.
            if (first[step] != Long.MAX_VALUE && !(first[step - 1] <= first[step])) {
              violations.add(key + " step " + step);
            }
          }
        });
    assertThat(violations).isEmpty();
    double views = typeCounts.get("page_view");
    assertThat(typeCounts.get("click") / views).isCloseTo(0.30, within(0.02));
    assertThat((double) typeCounts.get("add_to_cart") / typeCounts.get("click"))
        .isCloseTo(0.25, within(0.03));
    assertThat((double) typeCounts.get("purchase") / typeCounts.get("add_to_cart"))
        .isCloseTo(0.40, within(0.06));
  }

  @Test
  void lateEventsNeverLagMoreThanMaxDisorder() {
    assertDisorder(wellFormed, DEFAULT);

    ClickstreamGenerator shuffled =
        ClickstreamGenerator.builder()
            .events(50_000)
            .days(1)
            .outOfOrderRate(0.05)
            .maxDisorder(Duration.ofSeconds(10))
            .build();
    assertDisorder(wellFormedEvents(toList(shuffled.lines())), shuffled);
  }

  @Test
  void withoutDisorderTimestampsNeverDecrease() {
    ClickstreamGenerator ordered =
        ClickstreamGenerator.builder().events(20_000).outOfOrderRate(0).malformedRate(0).build();
    List<String> raw = toList(ordered.lines());
    List<Long> ts = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      ts.add(parse(i, raw.get(i)).ts());
    }

    assertThat(ts).isSorted();
  }

  @Test
  void usersAndProductsAreSkewed() {
    assertThat(topShare(wellFormed, Event::user, DEFAULT.users())).isGreaterThan(0.10);
    assertThat(topShare(wellFormed, Event::product, DEFAULT.products())).isGreaterThan(0.10);
  }

  @Test
  void builderHasDefaultsAndRejectsNonsense() {
    ClickstreamGenerator g = ClickstreamGenerator.builder().build();

    assertThat(g.seed()).isEqualTo(42);
    assertThat(g.events()).isEqualTo(1_000_000);
    assertThat(g.days()).isEqualTo(3);
    assertThat(g.start()).isEqualTo(LocalDate.of(2024, 1, 1));
    assertThat(g.users()).isEqualTo(20_000);
    assertThat(g.products()).isEqualTo(2_000);
    assertThat(g.malformedRate()).isEqualTo(0.001);
    assertThat(g.outOfOrderRate()).isEqualTo(0.01);
    assertThat(g.maxDisorder()).isEqualTo(Duration.ofMinutes(2));
    assertThat(g.toBuilder().build()).hasToString(g.toString());

    var b = ClickstreamGenerator.builder();
    assertThatThrownBy(() -> b.events(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.days(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.users(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.products(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.malformedRate(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.outOfOrderRate(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxDisorder(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.start(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void tinyPopulationsAndShortRangesStillWork() {
    ClickstreamGenerator g =
        ClickstreamGenerator.builder()
            .events(3_000)
            .users(1)
            .products(1)
            .days(1)
            .start(LocalDate.of(2030, 6, 1))
            .build();
    List<String> raw = toList(g.lines());
    long from = g.startInstant().toEpochMilli();
    long until = g.endInstant().toEpochMilli();

    assertThat(raw).hasSize(3_000);
    assertThat(wellFormedEvents(raw))
        .hasSizeGreaterThan(2_900)
        .allSatisfy(
            e -> {
              assertThat(e.user()).isEqualTo("u00000");
              assertThat(e.product()).isEqualTo("p0000");
              assertThat(e.ts()).isBetween(from, until - 1);
            });
  }

  /** Checks the lag bound for every line, and that about the configured share of lines is late. */
  private static void assertDisorder(List<Event> events, ClickstreamGenerator g) {
    long bound = g.maxDisorder().toMillis();
    long max = Long.MIN_VALUE;
    int late = 0;
    for (Event e : events) {
      if (e.ts() < max) {
        late++;
        assertThat(max - e.ts()).as("lag of line %d", e.line()).isLessThanOrEqualTo(bound);
      }
      max = Math.max(max, e.ts());
    }
    double expected = g.outOfOrderRate() * events.size();
    assertThat((double) late).isBetween(0.7 * expected, 1.3 * expected);
  }

  /** Share of the events of the top 1% of the population. */
  private static double topShare(
      List<Event> events, java.util.function.Function<Event, String> key, int population) {
    Map<String, Integer> counts = new HashMap<>();
    events.forEach(e -> counts.merge(key.apply(e), 1, Integer::sum));
    long top =
        counts.values().stream()
            .sorted(Comparator.reverseOrder())
            .limit(Math.max(1, population / 100))
            .mapToLong(Integer::longValue)
            .sum();
    return (double) top / events.size();
  }

  /**
   * Returns the one defect of a malformed line, or null for a well-formed one; fails on a line with
   * several defects.
   */
  private static MalformedKind defect(String line) {
    return inspect(line).kind();
  }

  /** A line's parsed tree (null if not JSON) and its defect (null if well-formed). */
  record Inspection(JsonNode node, MalformedKind kind) {}

  private static Inspection inspect(String line) {
    JsonNode n;
    try {
      n = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      return new Inspection(null, MalformedKind.NOT_JSON);
    }
    List<MalformedKind> defects = new ArrayList<>(1);
    if (!n.has("event_id")) {
      defects.add(MalformedKind.MISSING_EVENT_ID);
    }
    if (!n.path("price").isNumber()) {
      defects.add(MalformedKind.PRICE_NOT_NUMBER);
    }
    if (!TS.matcher(n.path("event_ts").asText()).matches()) {
      defects.add(MalformedKind.BAD_EVENT_TS);
    }
    if (!ClickstreamGenerator.EVENT_TYPES.contains(n.path("event_type").asText())) {
      defects.add(MalformedKind.UNKNOWN_EVENT_TYPE);
    }
    if (defects.size() > 1) {
      throw new AssertionError("several defects " + defects + " in " + line);
    }
    return new Inspection(n, defects.isEmpty() ? null : defects.get(0));
  }

  /** The well-formed lines of {@code raw}, parsed. */
  private static List<Event> wellFormedEvents(List<String> raw) {
    List<Event> events = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      Inspection x = inspect(raw.get(i));
      if (x.kind() == null) {
        events.add(toEvent(i, x.node()));
      }
    }
    return events;
  }

  private static void check(List<String> violations, String line, String rule, boolean ok) {
    if (!ok && violations.size() < 20) {
      violations.add(rule + ": " + line);
    }
  }

  /** Parses a line known to be well-formed. */
  private static Event parse(int index, String line) {
    try {
      return toEvent(index, MAPPER.readTree(line));
    } catch (JsonProcessingException e) {
      throw new AssertionError(line, e);
    }
  }

  private static Event toEvent(int index, JsonNode n) {
    return new Event(
        index,
        n.get("event_id").asText(),
        Instant.parse(n.get("event_ts").asText()).toEpochMilli(),
        n.get("user_id").asText(),
        n.get("session_id").asText(),
        n.get("event_type").asText(),
        n.get("product_id").asText(),
        n.get("price").doubleValue(),
        n.get("currency").asText(),
        n.at("/device/mobile").booleanValue(),
        n.at("/device/os").asText(),
        n.at("/geo/country").asText(),
        n.at("/geo/city").asText());
  }

  private static <T> List<T> toList(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
