package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.janus.jobs.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drills of issue 13 through {@code bin/janus}: poison events of every class in ingest, backfill
 * and stream, a far-future event, and events later than the allowed lateness. Each ends with the
 * values equal to a batch over the valid events alone (a second workdir fed a file without the
 * poison).
 */
class EveryEventITCase {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static CliRun janus(String... args) {
    return CliRun.with(LocalJanus::run, args);
  }

  static List<JsonNode> jsonLines(String out) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) if (line.startsWith("{")) nodes.add(JSON.readTree(line));
    return nodes;
  }

  /** {@code janus ingest --json} of {@code file} into {@code workdir}; its result. */
  static JsonNode ingest(Path file, String workdir, Path defs) throws Exception {
    CliRun r =
        janus(
            "ingest",
            "--file",
            file.toString(),
            "--workdir",
            workdir,
            "--definitions",
            defs.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    return jsonLines(r.out()).get(0);
  }

  /** {@code janus backfill} of {@code group} over {@code [start, end]}, asserted to succeed. */
  static void backfill(String group, Object start, Object end, String workdir, Path defs) {
    CliRun r =
        janus(
            "backfill",
            "--group",
            group,
            "--start",
            start.toString(),
            "--end",
            end.toString(),
            "--workdir",
            workdir,
            "--definitions",
            defs.toString());
    assertThat(r.code()).as(group + " " + r.err()).isZero();
  }

  /** {@code janus generate} of {@code events} sample events into a file, with more options. */
  Path generate(String name, int events, String... options) {
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("generate", "--events", Integer.toString(events)));
    args.addAll(List.of(options));
    args.addAll(List.of("--out", out.toString(), "--workdir", dir.resolve("gen").toString()));
    assertThat(janus(args.toArray(String[]::new)).code()).isZero();
    return out;
  }

  /**
   * Sample events of yesterday and today up to the clock: enough events (and time) for watermarks
   * to pass late ones, whatever the time of day.
   */
  Path generateUntilNow(String name, int events) {
    String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    return generate(name, events, "--days", "2", "--start", yesterday, "--until", "now");
  }

  /** A definitions dir with a group whose expression divides by (price - 5.99). */
  Path definitions() throws Exception {
    Path defs = Files.createDirectories(dir.resolve("defs"));
    Files.writeString(
        defs.resolve("poison_probe.yaml"),
        """
        name: poison_probe
        version: 1
        entity: [user_id]
        source: clickstream
        hop: 1m
        ttl: 7d
        features:
          - {name: per_unit_1h, agg: sum, of: "price / (price - 5.99)", window: 1h}
          - {name: views_1h, agg: count, where: "event_type == 'page_view'", window: 1h}
        """);
    return defs;
  }

  static String poison(JsonNode template, String id, String field, String rawValue) {
    ObjectNode n = template.deepCopy();
    n.put("event_id", id);
    String json = n.toString();
    String quoted = "\"" + field + "\":";
    int at = json.indexOf(quoted) + quoted.length();
    int end = at;
    int depth = 0;
    boolean inString = false;
    for (; end < json.length(); end++) {
      char c = json.charAt(end);
      if (c == '"' && json.charAt(end - 1) != '\\') inString = !inString;
      if (!inString && (c == ',' || c == '}') && depth == 0) break;
    }
    return json.substring(0, at) + rawValue + json.substring(end);
  }

  /** Reads a group's rows, sorted, as text. */
  static List<String> rows(String group, String workdir, Path defs) throws Exception {
    CliRun r =
        janus(
            "read",
            "--group",
            group,
            "--workdir",
            workdir,
            "--definitions",
            defs.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    return r.out().lines().filter(l -> l.startsWith("{")).sorted().toList();
  }

  static Set<String> deadLetterIds(String workdir) throws Exception {
    CliRun r =
        janus(
            "sql",
            "SELECT reason, payload FROM janus.dead_letters",
            "--workdir",
            workdir,
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    Set<String> ids = new HashSet<>();
    for (JsonNode n : jsonLines(r.out())) {
      String p = n.get("payload").isNull() ? "" : n.get("payload").asText();
      int i = p.indexOf("\"event_id\":\"");
      if (i >= 0) ids.add(p.substring(i + 12, p.indexOf('"', i + 12)));
    }
    return ids;
  }

  @Test
  void poisonInIngestAndBackfillIsDeadLetteredAndTheValuesEqualABatchOverTheValidEvents()
      throws Exception {
    Path defs = definitions();
    Path events = generate("events.jsonl", 3000, "--days", "1");
    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    JsonNode template = JSON.readTree(lines.get(0));
    List<String> poison =
        List.of(
            poison(template, "poison-inf", "price", "1e400"),
            poison(template, "poison-overflow", "event_ts", "\"+300000000-01-01T00:00:00Z\""),
            poison(template, "poison-range", "event_ts", "99999999999999999"),
            poison(template, "poison-future", "event_ts", "\"2099-01-01T00:00:00Z\""),
            poison(template, "poison-big", "currency", "\"" + "x".repeat(1_100_000) + "\""),
            poison(template, "poison-div", "price", "5.99"));
    for (int i = 0; i < poison.size(); i++) lines.add(500 * (i + 1), poison.get(i));
    Files.write(events, lines);

    String wd = dir.resolve("wd").toString();
    JsonNode in = ingest(events, wd, defs);
    CliRun reasons =
        janus("sql", "SELECT reason FROM janus.dead_letters", "--workdir", wd, "--json");
    List<String> why =
        jsonLines(reasons.out()).stream().map(n -> n.get("reason").asText()).toList();
    assertThat(why)
        .anyMatch(r -> r.startsWith("field 'price' has value Infinity: not a finite number"))
        .anyMatch(r -> r.contains("'event_ts' must be an ISO-8601 timestamp, got \"+300000000"))
        .anyMatch(r -> r.contains("outside the supported range 0001-01-01..9999-12-31"))
        .anyMatch(r -> r.contains("2099-01-01T00:00:00Z, more than max_future_skew (1h)"))
        .anyMatch(r -> r.contains("is over max_payload_bytes (1048576)"))
        .anyMatch(
            r ->
                r.equals(
                    "group poison_probe: of 'price / (price - 5.99)' fails on event poison-div:"
                        + " division by zero"));
    Set<String> dead = deadLetterIds(wd);
    assertThat(dead).contains("poison-inf", "poison-future", "poison-div");
    assertThat(in.get("malformed").asLong()).isEqualTo(why.size());
    assertThat(in.get("events").asLong() + in.get("malformed").asLong()).isEqualTo(lines.size());

    // The reference: only the lines whose events were kept, ingested elsewhere.
    Path clean = dir.resolve("clean.jsonl");
    List<String> kept = new ArrayList<>();
    for (String l : lines) {
      JsonNode n;
      try {
        n = JSON.readTree(l);
      } catch (Exception e) {
        continue;
      }
      if (n.has("event_id") && !dead.contains(n.get("event_id").asText()) && !l.contains("xxxx"))
        kept.add(l);
    }
    Files.write(clean, kept);
    String ref = dir.resolve("ref").toString();
    assertThat(ingest(clean, ref, defs).get("events").asLong())
        .isEqualTo(in.get("events").asLong());

    for (String group : List.of("user_activity", "poison_probe")) {
      for (String w : List.of(wd, ref)) {
        backfill(group, "2024-01-01", "2024-01-02", w, defs);
      }
      assertThat(rows(group, wd, defs)).isNotEmpty().isEqualTo(rows(group, ref, defs));
    }
    // The same file again: every event id is in the raw table already, nothing is appended, and
    // a backfill gives the same rows (it used to count every event twice).
    JsonNode second = ingest(events, wd, defs);
    assertThat(second.get("events").asLong()).isZero();
    assertThat(second.get("duplicates").asLong()).isEqualTo(in.get("events").asLong());
    backfill("user_activity", "2024-01-01", "2024-01-02", wd, defs);
    assertThat(rows("user_activity", wd, defs)).isEqualTo(rows("user_activity", ref, defs));
  }

  /**
   * A group defined after its events were ingested, whose expression fails on one of them: the
   * backfill dead-letters that raw row with its reason, still publishes, and its rows equal those
   * of a workdir whose ingest refused the event at the door.
   */
  @Test
  void aGroupAddedAfterIngestDeadLettersTheRawRowsItRefuses() throws Exception {
    Path events = generate("events.jsonl", 2000, "--days", "1");
    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    lines.add(700, poison(JSON.readTree(lines.get(0)), "div-later", "price", "5.99"));
    Files.write(events, lines);
    String wd = dir.resolve("wd").toString();
    String ref = dir.resolve("ref").toString();
    ingest(events, wd, defaults()); // the shipped groups take every event
    ingest(events, ref, definitions()); // poison_probe refuses div-later at the door
    for (String w : List.of(wd, ref))
      backfill("poison_probe", "2024-01-01", "2024-01-02", w, definitions());
    CliRun reasons =
        janus("sql", "SELECT reason, run_id FROM janus.dead_letters", "--workdir", wd, "--json");
    assertThat(jsonLines(reasons.out()))
        .map(n -> n.get("reason").asText())
        .contains(
            "group poison_probe: of 'price / (price - 5.99)' fails on event div-later: division by"
                + " zero");
    assertThat(rows("poison_probe", wd, definitions()))
        .isNotEmpty()
        .isEqualTo(rows("poison_probe", ref, definitions()));
  }

  @Test
  void aStreamKeepsItsLateEventsForTheBackfillAndAFarFutureEventPinsNoKey() throws Exception {
    Path defs = definitions();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate yesterday = today.minusDays(1);
    // Enough events that reading them takes a while: the late check needs at least one periodic
    // watermark before the last lines, and on a loaded machine the timer that emits it can lag (a
    // fresh-clone CI run once read 40,000 events with no late event found).
    Path events = generateUntilNow("today.jsonl", 150_000);
    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    JsonNode template = JSON.readTree(lines.get(lines.size() / 2));
    String user = template.get("user_id").asText();
    // Early on, an event of 2099 for a busy user; at the end, events 13 h behind the clock (the
    // watermark has long passed them) for the same user.
    lines.add(10, poison(template, "future-1", "event_ts", "\"2099-01-01T00:00:00Z\""));
    Instant lateTs = Instant.now().minusSeconds(13 * 3600);
    for (int i = 0; i < 3; i++)
      lines.add(poison(template, "late-" + i, "event_ts", "\"" + lateTs.plusMillis(i) + "\""));
    Files.write(events, lines);

    String wd = dir.resolve("wd").toString();
    // The file is read in well under a second: with Flink's default of a watermark every 200 ms,
    // the last one before the late events may not have passed them yet. A watermark every
    // millisecond follows the reading closely, as a long-running stream's does.
    Path config =
        Files.writeString(
            dir.resolve("janus.yaml"), "flink:\n  pipeline.auto-watermark-interval: 1 ms\n");
    CliRun stream =
        janus(
            "stream",
            "--group",
            "user_activity",
            "--source",
            "file:" + events,
            "--workdir",
            wd,
            "--config",
            config.toString(),
            "--definitions",
            defs.toString(),
            "--json");
    assertThat(stream.code()).as(stream.err()).isZero();
    JsonNode s = jsonLines(stream.out()).get(0);
    assertThat(s.get("late").asLong()).as(stream.out()).isGreaterThanOrEqualTo(3);
    Set<String> dead = deadLetterIds(wd);
    assertThat(dead).contains("future-1", "late-0", "late-1", "late-2");

    // The cold path kept the late events; the backfill counts them.
    CliRun raw =
        janus(
            "sql",
            "SELECT COUNT(*) AS n FROM `raw`.clickstream WHERE event_id LIKE 'late-%'",
            "--workdir",
            wd,
            "--json");
    assertThat(jsonLines(raw.out()).get(0).get("n").asLong()).isEqualTo(3);
    String to = today.plusDays(2).toString();
    backfill("user_activity", yesterday, to, wd, defs);

    // The reference: every valid event (the late ones included, the 2099 one not), ingested.
    String ref = dir.resolve("ref").toString();
    List<String> valid = new ArrayList<>(lines);
    valid.removeIf(l -> l.contains("future-1"));
    Path clean = Files.write(dir.resolve("valid.jsonl"), valid);
    ingest(clean, ref, defs);
    backfill("user_activity", yesterday, to, ref, defs);
    assertThat(rows("user_activity", wd, defs))
        .isNotEmpty()
        .isEqualTo(rows("user_activity", ref, defs));

    // The busy user was not pinned by the 2099 event: online equals its last offline row, and
    // parity over every key is clean once the backfill of the late events is synced.
    assertThat(janus("sync", "--group", "user_activity", "--workdir", wd).code()).isZero();
    CliRun parity = janus("parity", "--group", "user_activity", "--all", "--workdir", wd, "--json");
    assertThat(parity.code()).as(parity.out() + parity.err()).isZero();
    JsonNode p = jsonLines(parity.out()).get(0);
    assertThat(p.get("mismatched").asLong()).isZero();
    CliRun online =
        janus(
            "online", "get", "--group", "user_activity", "--key", user, "--workdir", wd, "--json");
    assertThat(online.out()).doesNotContain("2099");
  }

  /**
   * Two groups of one source in one {@code janus stream --groups} job over a file with producer
   * retries, then the same file streamed again (a replayed topic): the raw table holds every event
   * id once, the values equal an ingest + backfill of the distinct events, and parity over every
   * key of both groups is clean.
   */
  @Test
  void twoGroupsStreamedTogetherAndAReplayCountEachEventIdOnce() throws Exception {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate yesterday = today.minusDays(1);
    Path events = generateUntilNow("events.jsonl", 20000);
    List<String> distinct = Files.readAllLines(events);
    List<String> withRetries = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i++) {
      withRetries.add(distinct.get(i));
      if (i % 20 == 0) withRetries.add(distinct.get(i));
    }
    long retries = withRetries.size() - distinct.size();
    Files.write(events, withRetries);

    String wd = dir.resolve("wd").toString();
    List<JsonNode> runs = new ArrayList<>();
    for (String groups : List.of("user_activity,product_stats", "user_activity")) {
      CliRun stream =
          janus(
              "stream",
              "--groups",
              groups,
              "--source",
              "file:" + events,
              "--workdir",
              wd,
              "--json");
      assertThat(stream.code()).as(stream.err()).isZero();
      runs.add(jsonLines(stream.out()).get(0));
    }
    assertThat(runs.get(0).get("group").asText()).isEqualTo("user_activity,product_stats");
    // The generator writes a few malformed lines (dead letters), some of them repeated too.
    JsonNode first = runs.get(0);
    long valid = first.get("events").asLong();
    assertThat(valid + first.get("malformed").asLong()).isEqualTo(withRetries.size());
    long repeats = first.get("already_stored").asLong();
    assertThat(repeats).isBetween(retries * 9 / 10, retries);
    // Compute ignores the repeats too (an event that touches no feature of a group is not counted).
    assertThat(first.get("duplicates").asLong()).isBetween(repeats * 9 / 10, repeats);
    long distinctValid = valid - repeats;
    assertThat(runs.get(1).get("events").asLong()).isEqualTo(valid);
    assertThat(runs.get(1).get("already_stored").asLong()).isEqualTo(valid);
    CliRun raw =
        janus(
            "sql",
            "SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids FROM `raw`.clickstream",
            "--workdir",
            wd,
            "--json");
    JsonNode counts = jsonLines(raw.out()).get(0);
    assertThat(counts.get("n").asLong()).isEqualTo(distinctValid);
    assertThat(counts.get("ids").asLong()).isEqualTo(distinctValid);

    String to = today.plusDays(2).toString();
    String ref = dir.resolve("ref").toString();
    ingest(Files.write(dir.resolve("distinct.jsonl"), distinct), ref, defaults());
    for (String group : List.of("user_activity", "product_stats")) {
      backfill(group, yesterday, to, wd, defaults());
      assertThat(janus("sync", "--group", group, "--workdir", wd).code()).isZero();
      CliRun parity = janus("parity", "--group", group, "--all", "--workdir", wd, "--json");
      assertThat(parity.code()).as(group + parity.out() + parity.err()).isZero();
      assertThat(jsonLines(parity.out()).get(0).get("mismatched").asLong()).isZero();
    }
    backfill("user_activity", yesterday, to, ref, defaults());
    assertThat(rows("user_activity", wd, defaults()))
        .isNotEmpty()
        .isEqualTo(rows("user_activity", ref, defaults()));
    System.out.printf(
        "drill two groups + replay: %d lines in (%d retries), first run %s, replay %s, raw rows %d,"
            + " parity mismatches 0 for both groups%n",
        withRetries.size(), retries, runs.get(0), runs.get(1), counts.get("n").asLong());
  }

  /** An empty definitions directory: the shipped definitions alone. */
  Path defaults() throws Exception {
    return Files.createDirectories(dir.resolve("no-extra-defs"));
  }
}
