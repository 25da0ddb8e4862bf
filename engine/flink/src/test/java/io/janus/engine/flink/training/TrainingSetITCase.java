package io.janus.engine.flink.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.testing.TestGroups;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.testing.ListEventSource;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time training sets on real Iceberg tables written by real backfills, checked row by row
 * against a brute-force reference that scans every row of each feature snapshot.
 */
class TrainingSetITCase {
  static final FeatureGroup USERS = TestGroups.group(TestGroups.ACTIVITY_YAML); // entity user, 1d
  static final FeatureGroup ITEMS =
      TestGroups.group(
          """
          name: items
          version: 1
          entity: [item]
          source: clicks
          hop: 1m
          ttl: 2h
          features:
            - {name: views_5m, agg: count, where: "kind == 'view'", window: 5m}
            - {name: item_buys_1h, agg: count, where: "kind == 'buy'", window: 1h}
          """);
  static final String[] DAYS = {"2024-01-01", "2024-01-02"};

  @TempDir Path dir;
  Warehouse warehouse;
  List<Event> events;

  @BeforeEach
  void backfill() throws Exception {
    warehouse = Warehouse.local(dir.resolve("warehouse"));
    events = TestGroups.randomEvents(3000, 5, 25, DAYS);
    backfill(USERS, events);
    backfill(ITEMS, events);
  }

  void backfill(FeatureGroup g, List<Event> evs) throws Exception {
    Backfill.of(warehouse, g, new ListEventSource(evs))
        .withRange(LocalDate.parse(DAYS[0]), LocalDate.parse(DAYS[1]))
        .withReportDir(dir.resolve("reports"))
        .run(env());
  }

  static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  long snapshot(FeatureGroup g) {
    return warehouse.load(FeatureTables.id(g)).currentSnapshot().snapshotId();
  }

  /** Every row of a snapshot, by key, in valid_from order. */
  Map<String, List<Map<String, Object>>> history(FeatureGroup g, long snapshot) {
    Map<String, List<Map<String, Object>>> byKey = new HashMap<>();
    for (Map<String, Object> r : new OfflineReader(warehouse, g).rows(null, snapshot)) {
      byKey
          .computeIfAbsent(String.valueOf(r.get(g.entity().get(0))), k -> new ArrayList<>())
          .add(r);
    }
    return byKey;
  }

  /** Brute force: the last row with valid_from <= ts, if its TTL has not passed at ts. */
  static Map<String, Object> expected(
      FeatureGroup g, Map<String, List<Map<String, Object>>> history, String key, long ts) {
    Map<String, Object> best = null;
    for (Map<String, Object> r : history.getOrDefault(key, List.of())) {
      if (((Instant) r.get("valid_from")).toEpochMilli() <= ts) best = r;
    }
    if (best == null) return null;
    long vf = ((Instant) best.get("valid_from")).toEpochMilli();
    return ts - vf < g.ttl().toMillis() ? best : null;
  }

  /** A spine: random times plus, per user, times exactly at, just before and long after rows. */
  Path spine(String file, long seed) throws Exception {
    Random rnd = new Random(seed);
    List<Map<String, Object>> rows = new ArrayList<>();
    long start = Instant.parse(DAYS[0] + "T00:00:00Z").toEpochMilli();
    Map<String, List<Map<String, Object>>> users = history(USERS, snapshot(USERS));
    for (int i = 0; i < 300; i++) {
      String user = rnd.nextInt(12) == 0 ? "nobody" : "u" + rnd.nextInt(25);
      long ts = start + (long) (rnd.nextDouble() * 4 * 86_400_000L); // into the days after: TTL
      List<Map<String, Object>> h = users.get(user);
      if (h != null && rnd.nextInt(3) == 0) {
        long vf = ((Instant) h.get(rnd.nextInt(h.size())).get("valid_from")).toEpochMilli();
        ts = vf + new long[] {0, -1, 1, 86_400_000L, 86_399_999L}[rnd.nextInt(5)];
      }
      if (h != null && i % 50 == 0) { // before the key's first row
        ts = ((Instant) h.get(0).get("valid_from")).toEpochMilli() - 1;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", i);
      row.put("user", user);
      row.put("product", "i" + rnd.nextInt(9)); // i8 has no events
      row.put("ts", rnd.nextBoolean() ? ts : Instant.ofEpochMilli(ts).toString());
      row.put("label", rnd.nextInt(2));
      rows.add(row);
    }
    Path p = dir.resolve(file);
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (Map<String, Object> r : rows) lines.add(json.writeValueAsString(r));
    Files.write(p, lines);
    return p;
  }

  static List<Record> read(Table table) throws Exception {
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      it.forEach(out::add);
    }
    return out;
  }

  /** Checks every row against the reference; returns how many got features of each group. */
  int[] check(List<Record> rows, long usersSnapshot, long itemsSnapshot) {
    Map<String, List<Map<String, Object>>> users = history(USERS, usersSnapshot);
    Map<String, List<Map<String, Object>>> items = history(ITEMS, itemsSnapshot);
    int[] found = new int[2];
    for (Record r : rows) {
      long ts = SpineTime.millis(r.getField("ts"));
      Map<String, Object> u = expected(USERS, users, (String) r.getField("user"), ts);
      Map<String, Object> i = expected(ITEMS, items, (String) r.getField("product"), ts);
      String where = "spine row " + r.getField("id") + " at " + Instant.ofEpochMilli(ts);
      for (String f : List.of("buys_1h", "spend_1h", "cr_1h"))
        assertThat(r.getField(f)).as(where + " " + f).isEqualTo(u == null ? null : u.get(f));
      assertThat(r.getField("activity__views_5m"))
          .as(where + " activity views")
          .isEqualTo(u == null ? null : u.get("views_5m"));
      assertThat(r.getField("items__views_5m"))
          .as(where + " item views")
          .isEqualTo(i == null ? null : i.get("views_5m"));
      assertThat(r.getField("item_buys_1h"))
          .as(where + " item buys")
          .isEqualTo(i == null ? null : i.get("item_buys_1h"));
      if (u != null) found[0]++;
      if (i != null) found[1]++;
    }
    return found;
  }

  @Test
  void everySpineRowGetsTheRowsValidAtItsTimeFromTwoGroupsWithDifferentKeys() throws Exception {
    Path spine = spine("spine.jsonl", 11);
    TrainingSetResult r =
        TrainingSet.of(warehouse, Spine.file(spine, "ts"), List.of(USERS, ITEMS), "clicks_1")
            .withKeyMap(Map.of("product", "item"))
            .run(env());

    assertThat(r.rows()).isEqualTo(300);
    assertThat(r.groups())
        .extracting(TrainingSetResult.Input::columns)
        .containsExactly(
            List.of("activity__views_5m", "buys_1h", "spend_1h", "cr_1h"),
            List.of("items__views_5m", "item_buys_1h"));
    Table table = warehouse.load(TrainingSet.id("clicks_1"));
    assertThat(table.schema().columns().stream().map(f -> f.name()).toList())
        .startsWith("id", "user", "product", "ts", "label");
    List<Record> rows = read(table);
    assertThat(rows).hasSize(300);
    int[] found = check(rows, snapshot(USERS), snapshot(ITEMS));
    // The reference is not trivially all-null: most rows get features, some do not.
    assertThat(found[0]).isBetween(30, 290);
    assertThat(found[1]).isBetween(30, 290);

    Map<String, String> summary = table.currentSnapshot().summary();
    assertThat(summary)
        .containsEntry(TrainingSet.SPINE, "file:" + spine.toAbsolutePath())
        .containsEntry(TrainingSet.GROUPS, "activity,items")
        .containsEntry("janus.training.activity.snapshot-id", Long.toString(snapshot(USERS)))
        .containsEntry("janus.training.items.fingerprint", ITEMS.fingerprint())
        .containsEntry("janus.run-id", r.runId());
    // Spine columns pass through unchanged; a column mixing ISO text and epoch numbers is text.
    assertThat(rows).allMatch(x -> x.getField("ts") instanceof String);
    assertThat(rows).allMatch(x -> x.getField("label") instanceof Long);
  }

  @Test
  void aPinnedSnapshotGivesItsValuesBackAfterTheDayWasBackfilledAgain() throws Exception {
    long before = snapshot(USERS);
    Path spine = spine("spine.jsonl", 12);
    // Day 2 again, from half of its events: main's values change.
    List<Event> fewer = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) if (i % 2 == 0) fewer.add(events.get(i));
    Backfill.of(warehouse, USERS, new ListEventSource(fewer))
        .withRange(LocalDate.parse(DAYS[1]), LocalDate.parse(DAYS[1]))
        .withReportDir(dir.resolve("reports"))
        .run(env());
    long after = snapshot(USERS);
    assertThat(after).isNotEqualTo(before);

    TrainingSet ts =
        TrainingSet.of(warehouse, Spine.file(spine, "ts"), List.of(USERS, ITEMS), "pinned")
            .withKeyMap(Map.of("product", "item"));
    List<Record> pinned =
        read(warehouse.load(TrainingSet.id(ts.withSnapshot("activity", before).run(env()).name())));
    check(pinned, before, snapshot(ITEMS));
    List<Record> current = read(warehouse.load(TrainingSet.id(ts.replacing().run(env()).name())));
    check(current, after, snapshot(ITEMS));
    Map<Object, Object> a = new HashMap<>();
    pinned.forEach(
        x ->
            a.put(
                x.getField("id"), x.getField("buys_1h") + "/" + x.getField("activity__views_5m")));
    long differ =
        current.stream()
            .filter(
                x ->
                    !Objects.equals(
                        a.get(x.getField("id")),
                        x.getField("buys_1h") + "/" + x.getField("activity__views_5m")))
            .count();
    assertThat(differ).as("rows whose values moved with the re-backfill").isPositive();
  }

  @Test
  void aCsvSpineGivesTheSameFeaturesAsJsonLines() throws Exception {
    Path jsonl = spine("s.jsonl", 13);
    List<String> csv = new ArrayList<>(List.of("id,user,product,ts,label"));
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(jsonl)) {
      var n = json.readTree(line);
      csv.add(
          String.join(
              ",",
              n.get("id").asText(),
              n.get("user").asText(),
              n.get("product").asText(),
              n.get("ts").asText(),
              n.get("label").asText()));
    }
    Path file = dir.resolve("s.csv");
    Files.write(file, csv);
    TrainingSet.of(warehouse, Spine.file(file, "ts"), List.of(USERS, ITEMS), "from_csv")
        .withKeyMap(Map.of("product", "item"))
        .run(env());
    List<Record> rows = read(warehouse.load(TrainingSet.id("from_csv")));
    assertThat(rows).hasSize(300);
    check(rows, snapshot(USERS), snapshot(ITEMS));
    assertThat(rows.get(0).getField("label")).isInstanceOf(Long.class);

    // The training set itself as a spine (an Iceberg table): its columns pass through, and the
    // group's columns, now clashing with them, are prefixed.
    TrainingSetResult again =
        TrainingSet.of(
                warehouse,
                Spine.table(warehouse, TrainingSet.id("from_csv"), "ts"),
                List.of(USERS),
                "from_table")
            .run(env());
    assertThat(again.spine()).startsWith("iceberg:training.from_csv@");
    assertThat(again.groups().get(0).columns()).contains("activity__buys_1h");
    Map<Object, Record> first = new HashMap<>();
    rows.forEach(x -> first.put(x.getField("id"), x));
    List<Record> second = read(warehouse.load(TrainingSet.id("from_table")));
    assertThat(second).hasSize(300);
    for (Record x : second) {
      assertThat(x.getField("activity__buys_1h"))
          .isEqualTo(first.get(x.getField("id")).getField("buys_1h"));
    }
  }

  @Test
  void badInputGetsOneLineNamingTheFileTheLineTheColumnAndTheValue() throws Exception {
    Path bad = dir.resolve("bad.jsonl");
    Files.write(
        bad, List.of("{\"user\":\"u1\",\"ts\":1}", "{\"user\":\"u2\",\"ts\":\"yesterday\"}"));
    assertThatThrownBy(() -> Spine.file(bad, "ts"))
        .hasMessage(
            bad
                + ":2: time column 'ts' value 'yesterday' is neither an ISO-8601 UTC time nor epoch milliseconds");
    assertThatThrownBy(() -> Spine.file(bad, "when"))
        .hasMessageContaining("has no time column 'when' (columns: user, ts)");

    Path noKey = dir.resolve("nokey.jsonl");
    Files.write(noKey, List.of("{\"customer\":\"u1\",\"ts\":1}"));
    assertThatThrownBy(
            () ->
                TrainingSet.of(warehouse, Spine.file(noKey, "ts"), List.of(USERS), "x").run(env()))
        .hasMessageContaining("has no column 'user' for entity key 'user' of group activity")
        .hasMessageContaining("--key-map COLUMN=user");

    Path ok = spine("ok.jsonl", 14);
    TrainingSet.of(warehouse, Spine.file(ok, "ts"), List.of(USERS), "taken").run(env());
    assertThatThrownBy(
            () ->
                TrainingSet.of(warehouse, Spine.file(ok, "ts"), List.of(USERS), "taken").run(env()))
        .hasMessageContaining("training set taken exists");
    assertThatThrownBy(
            () ->
                TrainingSet.of(warehouse, Spine.file(ok, "ts"), List.of(USERS), "y")
                    .withSnapshot("activity", 42)
                    .run(env()))
        .hasMessageContaining("has no snapshot 42");
  }
}
