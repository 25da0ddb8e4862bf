package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.Warehouse;
import io.janus.jobs.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end on embedded defaults: generate, ingest, backfill, read, snapshots,
 * errors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JanusCliITCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static String workdir;
  static Path events;

  /** Runs {@code bin/janus}'s command line (embedded defaults, demo, bench). */
  static CliRun janus(String... args) {
    return CliRun.with(LocalJanus::run, args);
  }

  @BeforeAll
  static void setUp() {
    workdir = dir.resolve("wd").toString();
    events = dir.resolve("events.jsonl");
  }

  /** The newest line of the notifications file of this kind. */
  static JsonNode lastNotification(String kind) throws Exception {
    JsonNode last = null;
    for (String line : Files.readAllLines(Path.of(workdir, "reports", "notifications.jsonl"))) {
      JsonNode n = JSON.readTree(line);
      if (n.get("kind").asText().equals(kind)) last = n;
    }
    assertThat(last).as("a " + kind + " notification").isNotNull();
    return last;
  }

  static List<JsonNode> jsonLines(String out) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) if (line.startsWith("{")) nodes.add(JSON.readTree(line));
    return nodes;
  }

  @Test
  @Order(1)
  void generatesAndIngestsWithDeadLetters() throws Exception {
    CliRun gen =
        janus(
            "generate",
            "--events",
            "30000",
            "--days",
            "2",
            "--malformed-rate",
            "0.01",
            "--out",
            events.toString(),
            "--workdir",
            workdir);
    assertThat(gen.code()).isZero();
    assertThat(Files.readAllLines(events)).hasSize(30000);

    CliRun ingest = janus("ingest", "--file", events.toString(), "--workdir", workdir, "--json");
    assertThat(ingest.code()).as(ingest.err()).isZero();
    JsonNode r = jsonLines(ingest.out()).get(0);
    long malformed = r.get("malformed").asLong();
    assertThat(r.get("events").asLong() + malformed).isEqualTo(30000);
    assertThat(malformed).isBetween(200L, 400L);

    Warehouse w = Warehouse.local(Path.of(workdir, "warehouse"));
    List<Record> dead = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(w.load(DeadLetters.ID)).build()) {
      it.forEach(dead::add);
    }
    assertThat(dead).hasSize((int) malformed);
    assertThat(dead)
        .allSatisfy(
            d -> {
              assertThat((String) d.getField("reason")).isNotBlank();
              assertThat((String) d.getField("payload")).isNotNull();
              assertThat((String) d.getField("origin")).endsWith("events.jsonl");
            });
    assertThat(dead).anyMatch(d -> ((String) d.getField("reason")).contains("event_type"));
  }

  @Test
  @Order(2)
  void backfillsReadsAndListsSnapshots() throws Exception {
    CliRun b =
        janus(
            "backfill",
            "--group",
            "user_activity",
            "--start",
            "2024-01-01",
            "--end",
            "2024-01-02",
            "--workdir",
            workdir,
            "--json");
    assertThat(b.code()).as(b.err()).isZero();
    JsonNode result = jsonLines(b.out()).get(0);
    assertThat(result.get("published").asBoolean()).isTrue();
    assertThat(result.get("rows_written").asLong()).isPositive();
    String runId = result.get("run_id").asText();

    CliRun all = janus("read", "--group", "user_activity", "--workdir", workdir, "--json");
    List<JsonNode> rows = jsonLines(all.out());
    assertThat(rows).hasSize(result.get("rows_written").asInt());
    String user = rows.get(rows.size() / 2).get("user_id").asText();

    CliRun one =
        janus("read", "--group", "user_activity", "--key", user, "--workdir", workdir, "--json");
    List<JsonNode> keyRows = jsonLines(one.out());
    assertThat(keyRows)
        .isNotEmpty()
        .allSatisfy(
            n -> {
              assertThat(n.get("user_id").asText()).isEqualTo(user);
              assertThat(n.get("valid_from").asText())
                  .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?Z");
              for (String f :
                  List.of(
                      "user_views_5m",
                      "user_add2cart_1h",
                      "user_rev_24h",
                      "user_purchases_24h",
                      "user_views_24h",
                      "user_cr_24h")) {
                assertThat(n.has(f)).as(f).isTrue();
              }
            });

    CliRun snaps = janus("snapshots", "--group", "user_activity", "--workdir", workdir, "--json");
    List<JsonNode> history = jsonLines(snaps.out());
    assertThat(history)
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.get("janus.run-id").asText()).isEqualTo(runId);
              assertThat(s.get("janus.definition").asText()).isEqualTo("user_activity:1");
              assertThat(s.get("janus.fingerprint").asText()).hasSize(64);
              assertThat(s.has("janus.git-commit")).isTrue();
              assertThat(s.get("audit").get("passed").asBoolean()).isTrue();
            });

    // Time travel: the first snapshot still reads after a re-run replaced day 2.
    long firstMain = history.get(history.size() - 1).get("snapshot_id").asLong();
    assertThat(
            janus(
                    "backfill",
                    "--group",
                    "user_activity",
                    "--start",
                    "2024-01-02",
                    "--end",
                    "2024-01-02",
                    "--workdir",
                    workdir)
                .code())
        .isZero();
    CliRun old =
        janus(
            "read",
            "--group",
            "user_activity",
            "--as-of-snapshot",
            Long.toString(firstMain),
            "--workdir",
            workdir,
            "--json");
    assertThat(jsonLines(old.out())).hasSameSizeAs(rows);
  }

  @Test
  @Order(3)
  void auditRejectionExitsNonZeroAndKeepsMain(@TempDir Path defs) throws Exception {
    String strict =
        new String(
                getClass()
                    .getResourceAsStream("/janus/definitions/groups/user_activity.yaml")
                    .readAllBytes())
            .replace("user_views_5m: [0, 100000]", "user_views_5m: [0, 1]");
    Files.writeString(defs.resolve("user_activity.yaml"), strict);
    List<JsonNode> before =
        jsonLines(janus("read", "--group", "user_activity", "--workdir", workdir, "--json").out());
    // The rejection is also notified: to the JSON-lines file, and to a webhook given in a config
    // file.
    List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer hook =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/janus",
        ex -> {
          posted.add(
              new String(
                  ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    hook.start();
    Path config =
        Files.writeString(
            dir.resolve("notify-config.yaml"),
            "notifications:\n  webhook: http://127.0.0.1:"
                + hook.getAddress().getPort()
                + "/janus\n");
    CliRun b;
    try {
      b =
          janus(
              "backfill",
              "--group",
              "user_activity",
              "--start",
              "2024-01-01",
              "--end",
              "2024-01-01",
              "--definitions",
              defs.toString(),
              "--config",
              config.toString(),
              "--workdir",
              workdir,
              "--json");
    } finally {
      hook.stop(0);
    }
    assertThat(b.code()).isEqualTo(1);
    JsonNode r = jsonLines(b.out()).get(0);
    assertThat(r.get("audit_passed").asBoolean()).isFalse();
    assertThat(r.get("audit_failures").get(0).asText()).contains("user_views_5m");
    JsonNode notified = lastNotification("audit_rejected");
    assertThat(notified.get("group").asText()).isEqualTo("user_activity");
    assertThat(notified.at("/details/run_id").asText()).isEqualTo(r.get("run_id").asText());
    assertThat(notified.at("/details/failures/0").asText()).contains("user_views_5m");
    assertThat(posted)
        .singleElement()
        .satisfies(body -> assertThat(JSON.readTree(body)).isEqualTo(notified));
    assertThat(
            jsonLines(
                janus("read", "--group", "user_activity", "--workdir", workdir, "--json").out()))
        .isEqualTo(before);
  }

  @Test
  @Order(4)
  void streamsIntoRedisAndReadsOnlineValues() throws Exception {
    // The sample's history through the day its last expiries land on, so that no key's offline row
    // is one cut at the end of the 2024-01-01..02 backfill: such a key coming back today with an
    // event that changes no value would disagree with the stream, which has no history of it and
    // writes that key's first row.
    CliRun rest =
        janus(
            "backfill",
            "--group",
            "user_activity",
            "--start",
            "2024-01-03",
            "--end",
            "2024-01-03",
            "--workdir",
            workdir);
    assertThat(rest.code()).as(rest.err()).isZero();
    // Today's events, so the TTL has not expired them.
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    Path todays = dir.resolve("today.jsonl");
    assertThat(
            janus(
                    "generate",
                    "--events",
                    "5000",
                    "--days",
                    "1",
                    "--start",
                    today.toString(),
                    "--until",
                    "now",
                    "--out",
                    todays.toString(),
                    "--workdir",
                    workdir)
                .code())
        .isZero();
    CliRun stream =
        janus(
            "stream",
            "--group",
            "user_activity",
            "--source",
            "file:" + todays,
            "--workdir",
            workdir,
            "--json");
    assertThat(stream.code()).as(stream.err()).isZero();
    JsonNode s = jsonLines(stream.out()).get(0);
    assertThat(s.get("events").asLong() + s.get("malformed").asLong()).isEqualTo(5000);

    String user =
        JSON.readTree(
                Files.readAllLines(todays).stream()
                    .filter(l -> l.startsWith("{\"event_id"))
                    .findFirst()
                    .orElseThrow())
            .get("user_id")
            .asText();
    CliRun get =
        janus(
            "online",
            "get",
            "--group",
            "user_activity",
            "--key",
            user,
            "--workdir",
            workdir,
            "--json");
    assertThat(get.code()).as(get.err()).isZero();
    JsonNode online = JSON.readTree(get.out().strip());
    assertThat(online.get("user_id").asText()).isEqualTo(user);
    assertThat(online.get("valid_from").asText()).startsWith(today.toString().substring(0, 4));
    assertThat(online.has("user_views_5m")).isTrue();
    assertThat(online.has("user_cr_24h")).isTrue();

    CliRun missing =
        janus("online", "get", "--group", "user_activity", "--key", "nobody", "--workdir", workdir);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.out()).contains("no online value");
  }

  @Test
  @Order(5)
  void syncsTheBackfillOfWhatWasStreamedAndParityIsClean() throws Exception {
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    // Through the day after tomorrow: expiries of today's last events (24 h windows, hop-aligned)
    // land there.
    CliRun b =
        janus(
            "backfill",
            "--group",
            "user_activity",
            "--start",
            today.toString(),
            "--end",
            today.plusDays(2).toString(),
            "--workdir",
            workdir);
    assertThat(b.code()).as(b.err()).isZero();

    CliRun sync = janus("sync", "--group", "user_activity", "--workdir", workdir, "--json");
    assertThat(sync.code()).as(sync.err()).isZero();
    JsonNode s = jsonLines(sync.out()).get(0);
    assertThat(s.get("mode").asText()).isEqualTo("full");
    assertThat(s.get("rows_read").asLong()).isPositive();
    assertThat(s.get("keys_expired").asLong())
        .isPositive(); // the 2024 keys, long past the 7-day TTL
    assertThat(s.get("skipped_by_guard").asLong()).isZero(); // streaming wrote exactly these rows

    CliRun again = janus("sync", "--group", "user_activity", "--workdir", workdir, "--json");
    JsonNode a = jsonLines(again.out()).get(0);
    assertThat(a.get("to_snapshot").asLong()).isEqualTo(s.get("to_snapshot").asLong());
    assertThat(a.get("snapshots_read").asInt()).isZero();
    assertThat(a.get("files_added").asInt()).isZero();
    if (a.path("due_from").isNull() || a.path("due_from").isMissingNode()) {
      // Nothing new on main and nothing the first sync deferred came due: nothing is read.
      assertThat(a.get("mode").asText()).isEqualTo("none");
      assertThat(a.get("rows_read").asLong()).isZero();
    } else {
      // A row the first sync deferred (valid after its clock, e.g. a 5-minute window's expiry)
      // came due between the two syncs: the days from it are read again, nothing else.
      assertThat(a.get("mode").asText()).isEqualTo("incremental");
      assertThat(a.get("skipped_by_guard").asLong()).isZero();
    }

    CliRun parity = janus("parity", "--group", "user_activity", "--workdir", workdir, "--json");
    assertThat(parity.code()).as(parity.err() + parity.out()).isZero();
    JsonNode p = jsonLines(parity.out()).get(0);
    assertThat(p.get("passed").asBoolean()).isTrue();
    assertThat(p.get("checked").asLong()).isEqualTo(p.get("matched").asLong()).isPositive();
    assertThat(p.get("expired").asLong()).isPositive();

    // The parity gate: the same backfill agrees with what is online, so it publishes.
    CliRun gated = gatedBackfillOf(today);
    assertThat(gated.code()).as(gated.err() + gated.out()).isZero();
    assertThat(jsonLines(gated.out()).get(0).get("message").asText()).contains("parity gate");

    // Tamper with one online value: parity fails and names the key and the feature.
    String key;
    try (io.janus.engine.embedded.EmbeddedRedis redis =
            io.janus.engine.embedded.EmbeddedRedis.start(Path.of(workdir, "redis"));
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
        var conn = client.connect()) {
      key =
          conn.sync()
              .scan(io.lettuce.core.ScanArgs.Builder.matches("user_activity:*").limit(100))
              .getKeys()
              .get(0);
      conn.sync().hset(key, "user_views_24h", "-7");
    }
    CliRun bad =
        janus(
            "parity",
            "--group",
            "user_activity",
            "--sample",
            "100000",
            "--workdir",
            workdir,
            "--json");
    assertThat(bad.code()).isEqualTo(1);
    JsonNode r = jsonLines(bad.out()).get(0);
    assertThat(r.get("mismatched").asLong()).isEqualTo(1);
    assertThat(r.get("passed").asBoolean()).isFalse();
    assertThat(r.get("features").get("user_views_24h").get("mismatched").asLong()).isEqualTo(1);
    JsonNode worst = r.get("worst").get(0);
    assertThat(worst.get("key").asText()).isEqualTo(key.substring("user_activity:".length()));
    assertThat(worst.get("feature").asText()).isEqualTo("user_views_24h");
    assertThat(worst.get("online").asText()).isEqualTo("-7");
    JsonNode notified = lastNotification("parity_failed");
    assertThat(notified.get("group").asText()).isEqualTo("user_activity");
    assertThat(notified.at("/details/counts/mismatched").asLong()).isEqualTo(1);
    assertThat(notified.at("/details/worst_keys/0").asText()).isEqualTo(worst.get("key").asText());

    CliRun text = janus("parity", "--group", "user_activity", "--workdir", workdir);
    assertThat(text.out()).contains("mismatched 1").contains("FAILED").contains("user_views_24h");

    // Now batch and online disagree on one key: the gate refuses to publish — exit 1, main
    // untouched, the branch kept.
    var table =
        io.janus.engine.iceberg.Warehouse.local(Path.of(workdir, "warehouse"))
            .load(io.janus.engine.iceberg.Warehouse.id("features", "user_activity"));
    long mainBefore = table.currentSnapshot().snapshotId();
    CliRun refused = gatedBackfillOf(today);
    assertThat(refused.code()).as(refused.err() + refused.out()).isEqualTo(1);
    JsonNode rb = jsonLines(refused.out()).get(0);
    assertThat(rb.get("published").asBoolean()).isFalse();
    assertThat(rb.get("message").asText()).startsWith("refused by the parity gate");
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(mainBefore);
    assertThat(table.refs()).containsKey(rb.get("branch").asText());
  }

  /** {@code backfill} of today..today+2 with a parity gate allowing no disagreement. */
  static CliRun gatedBackfillOf(java.time.LocalDate today) {
    return janus(
        "backfill",
        "--group",
        "user_activity",
        "--start",
        today.toString(),
        "--end",
        today.plusDays(2).toString(),
        "--parity-gate",
        "0",
        "--workdir",
        workdir,
        "--json");
  }

  @Test
  @Order(6)
  void userMistakesGiveOneLineErrors(@TempDir Path defs) throws Exception {
    CliRun unknown = janus("read", "--group", "nope", "--workdir", workdir);
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err().strip())
        .isEqualTo(
            "janus read: unknown feature group 'nope' (known: product_stats, session_stats, user_activity)");

    CliRun badDate =
        janus(
            "backfill",
            "--group",
            "user_activity",
            "--start",
            "2024-13-01",
            "--end",
            "2024-01-02",
            "--workdir",
            workdir);
    assertThat(badDate.code()).isEqualTo(2);
    assertThat(badDate.err()).contains("--start").contains("2024-13-01");

    Files.writeString(
        defs.resolve("broken.yaml"),
        "name: broken\nversion: 1\nentity: [user_id]\nsource: clickstream\nhop: 1m\nttl: 1d\nfeatures:\n  - {name: x, agg: count, window: 7s}\n");
    CliRun broken =
        janus(
            "read",
            "--group",
            "user_activity",
            "--definitions",
            defs.toString(),
            "--workdir",
            workdir);
    assertThat(broken.code()).isEqualTo(1);
    assertThat(broken.err().strip())
        .isEqualTo(
            "janus read: "
                + defs.resolve("broken.yaml")
                + ": features[0] (x).window: '7s' is not a multiple of hop '1m'");

    CliRun missing =
        janus("ingest", "--file", dir.resolve("missing.jsonl").toString(), "--workdir", workdir);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("missing.jsonl does not exist");

    CliRun help = janus("parity", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Usage: janus parity").contains("--max-mismatch-rate");
    CliRun both =
        janus("parity", "--group", "user_activity", "--sample", "5", "--all", "--workdir", workdir);
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
    CliRun zero =
        janus("parity", "--group", "user_activity", "--sample", "0", "--workdir", workdir);
    assertThat(zero.code()).isEqualTo(2);
    assertThat(zero.err()).contains("--sample must be positive, got 0");
    CliRun rate =
        janus(
            "parity", "--group", "user_activity", "--max-mismatch-rate", "2", "--workdir", workdir);
    assertThat(rate.code()).isEqualTo(2);
    assertThat(rate.err()).contains("--max-mismatch-rate must be within 0..1, got 2.0");
  }

  @Test
  @Order(7)
  void buildsAPointInTimeTrainingSetAndExportsIt() throws Exception {
    List<JsonNode> rows =
        jsonLines(janus("read", "--group", "user_activity", "--workdir", workdir, "--json").out());
    // Spine rows exactly at stored valid_froms must get those rows; one 1 ms before the key's
    // first row and one for an unknown user get nulls.
    ObjectMapper json = new ObjectMapper();
    List<String> spine = new ArrayList<>();
    List<JsonNode> picked = new ArrayList<>();
    for (int i = 0; i < rows.size(); i += Math.max(1, rows.size() / 40)) {
      JsonNode r = rows.get(i);
      picked.add(r);
      spine.add(
          json.writeValueAsString(
              spineRow(
                  r.get("user_id").asText(), r.get("valid_from").asText(), picked.size() % 2)));
    }
    long first = Instant.parse(rows.get(0).get("valid_from").asText()).toEpochMilli();
    spine.add(json.writeValueAsString(spineRow(rows.get(0).get("user_id").asText(), first - 1, 0)));
    spine.add(json.writeValueAsString(spineRow("nobody", first, 0)));
    Path spineFile = dir.resolve("spine.jsonl");
    Files.write(spineFile, spine);
    Path export = dir.resolve("training.jsonl");

    CliRun ts =
        janus(
            "training-set",
            "--spine",
            spineFile.toString(),
            "--groups",
            "user_activity",
            "--name",
            "cli_ts",
            "--export",
            export.toString(),
            "--workdir",
            workdir,
            "--json");
    assertThat(ts.code()).as(ts.err()).isZero();
    JsonNode result = jsonLines(ts.out()).get(0);
    assertThat(result.get("table").asText()).isEqualTo("training.cli_ts");
    assertThat(result.get("rows").asInt()).isEqualTo(spine.size());
    assertThat(result.get("groups").get(0).get("snapshot_id").asLong()).isPositive();
    assertThat(result.get("export").asText()).isEqualTo(export.toAbsolutePath().toString());

    List<JsonNode> out = jsonLines(Files.readString(export));
    assertThat(out).hasSize(spine.size());
    assertThat(out.get(0).fieldNames())
        .toIterable()
        .startsWith("user_id", "ts", "label", "user_views_5m");
    Map<String, JsonNode> byKeyAndTime = new java.util.HashMap<>();
    for (JsonNode o : out)
      byKeyAndTime.put(o.get("user_id").asText() + "@" + o.get("ts").asText(), o);
    for (JsonNode r : picked) {
      JsonNode o = byKeyAndTime.get(r.get("user_id").asText() + "@" + r.get("valid_from").asText());
      assertThat(o).as(r.toString()).isNotNull();
      for (String f : List.of("user_views_5m", "user_views_24h", "user_rev_24h", "user_cr_24h"))
        assertThat(o.get(f)).as(f + " of " + r).isEqualTo(r.get(f));
    }
    assertThat(out)
        .filteredOn(
            o -> o.get("user_id").asText().equals("nobody") || o.get("ts").asText().matches("\\d+"))
        .hasSize(2)
        .allSatisfy(o -> assertThat(o.get("user_views_5m").isNull()).isTrue());

    CliRun unknown =
        janus(
            "training-set",
            "--spine",
            spineFile.toString(),
            "--groups",
            "nope",
            "--name",
            "x",
            "--workdir",
            workdir);
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.err().strip()).doesNotContain("\n").contains("unknown feature group 'nope'");
    CliRun again =
        janus(
            "training-set",
            "--spine",
            spineFile.toString(),
            "--groups",
            "user_activity",
            "--name",
            "cli_ts",
            "--workdir",
            workdir);
    assertThat(again.err()).contains("training set cli_ts exists");
  }

  @Test
  @Order(8)
  void runsFlinkSqlOverTheCatalogWithMetadataTablesAndTimeTravel() throws Exception {
    int rows =
        jsonLines(janus("read", "--group", "user_activity", "--workdir", workdir, "--json").out())
            .size();
    CliRun count =
        janus(
            "sql",
            "SELECT COUNT(*) AS n FROM features.user_activity",
            "--workdir",
            workdir,
            "--json");
    assertThat(count.code()).as(count.err()).isZero();
    assertThat(jsonLines(count.out()).get(0).get("n").asInt()).isEqualTo(rows);

    CliRun snaps =
        janus(
            "sql",
            "SELECT snapshot_id, summary['janus.run-id'] AS run_id FROM features.`user_activity$snapshots`",
            "--workdir",
            workdir,
            "--json");
    assertThat(snaps.code()).as(snaps.err()).isZero();
    List<JsonNode> history = jsonLines(snaps.out());
    assertThat(history)
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.get("run_id").asText()).hasSize(36));

    // Time travel: the oldest snapshot with rows, through the hint, as `read --as-of-snapshot`.
    for (JsonNode h : history) {
      String id = h.get("snapshot_id").asText();
      int old =
          jsonLines(
                  janus(
                          "read",
                          "--group",
                          "user_activity",
                          "--as-of-snapshot",
                          id,
                          "--workdir",
                          workdir,
                          "--json")
                      .out())
              .size();
      CliRun travel =
          janus(
              "sql",
              "SELECT COUNT(*) AS n FROM features.user_activity /*+ OPTIONS('snapshot-id'='"
                  + id
                  + "') */",
              "--workdir",
              workdir,
              "--json");
      assertThat(jsonLines(travel.out()).get(0).get("n").asInt())
          .as("snapshot " + id)
          .isEqualTo(old);
      if (old > 0) break;
    }

    // A spine from a query: every stored row at its own valid_from gets exactly its own values.
    CliRun viaSql =
        janus(
            "training-set",
            "--spine-sql",
            "SELECT user_id, valid_from AS ts, user_views_24h AS label FROM features.user_activity",
            "--groups",
            "user_activity",
            "--name",
            "via_sql",
            "--export",
            dir.resolve("via_sql.jsonl").toString(),
            "--workdir",
            workdir,
            "--json");
    assertThat(viaSql.code()).as(viaSql.err()).isZero();
    assertThat(jsonLines(viaSql.out()).get(0).get("spine").asText())
        .startsWith("sql:SELECT user_id")
        .contains("staged in iceberg:training.via_sql__spine@");
    List<JsonNode> joined = jsonLines(Files.readString(dir.resolve("via_sql.jsonl")));
    assertThat(joined)
        .hasSize(rows)
        .allSatisfy(
            j -> assertThat(j.get("user_views_24h")).as(j.toString()).isEqualTo(j.get("label")));

    // The same spine as a Parquet file (its ts a timestamp column): the same rows come out.
    Path parquet = dir.resolve("via_sql_spine.parquet");
    var warehouse = io.janus.engine.iceberg.Warehouse.local(Path.of(workdir, "warehouse"));
    var staged = warehouse.load(io.janus.engine.flink.training.TrainingSet.id("via_sql__spine"));
    io.janus.engine.iceberg.export.TableExport.write(
        staged, staged.currentSnapshot().snapshotId(), parquet);
    CliRun fromParquet =
        janus(
            "training-set",
            "--spine",
            parquet.toString(),
            "--groups",
            "user_activity",
            "--name",
            "via_parquet",
            "--export",
            dir.resolve("via_parquet.jsonl").toString(),
            "--workdir",
            workdir,
            "--json");
    assertThat(fromParquet.code()).as(fromParquet.err()).isZero();
    assertThat(jsonLines(fromParquet.out()).get(0).get("spine").asText())
        .startsWith("file:" + parquet)
        .contains("staged in iceberg:training.via_parquet__spine@");
    assertThat(Files.readAllLines(dir.resolve("via_parquet.jsonl")).stream().sorted().toList())
        .isEqualTo(Files.readAllLines(dir.resolve("via_sql.jsonl")).stream().sorted().toList());

    CliRun bad = janus("sql", "SELECT nope FROM features.user_activity", "--workdir", workdir);
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err().strip()).isEqualTo("janus sql: Column 'nope' not found in any table");
  }

  @Test
  @Order(9)
  void trainsRegistersPromotesAndPredictsThroughTheCli() throws Exception {
    Path onnx = dir.resolve("cli_model.onnx");
    CliRun train =
        janus(
            "train",
            "--training-set",
            "cli_ts",
            "--label",
            "label",
            "--model",
            "cli_model",
            "--output",
            onnx.toString(),
            "--workdir",
            workdir,
            "--json");
    assertThat(train.code()).as(train.err()).isZero();
    JsonNode v1 = jsonLines(train.out()).get(0);
    assertThat(v1.get("version").asText()).isEqualTo("1.0.0");
    assertThat(v1.get("stage").asText()).isEqualTo("none");
    assertThat(v1.get("sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(v1.get("artifact").asText()).startsWith("file:");
    assertThat(v1.get("training_set").asText()).isEqualTo("cli_ts");
    assertThat(v1.get("params").get("imputation").asText()).startsWith("mean");
    // A second, shorter training (1.0.1) whose file is then registered by hand (1.1.0): artifacts
    // are content-addressed, so a different file is a different artifact.
    Path other = dir.resolve("cli_model_5.onnx");
    CliRun retrain =
        janus(
            "train",
            "--training-set",
            "cli_ts",
            "--label",
            "label",
            "--model",
            "cli_model",
            "--epochs",
            "5",
            "--output",
            other.toString(),
            "--workdir",
            workdir,
            "--json");
    assertThat(jsonLines(retrain.out()).get(0).get("version").asText()).isEqualTo("1.0.1");

    CliRun register =
        janus(
            "registry",
            "register",
            "--model",
            "cli_model",
            "--artifact",
            other.toString(),
            "--training-set",
            "cli_ts",
            "--metric",
            "auc=0.5",
            "--param",
            "note=by hand",
            "--minor",
            "--workdir",
            workdir,
            "--json");
    assertThat(register.code()).as(register.err()).isZero();
    JsonNode v2 = jsonLines(register.out()).get(0);
    assertThat(v2.get("version").asText()).isEqualTo("1.1.0");
    assertThat(v2.get("metrics").get("auc").asDouble()).isEqualTo(0.5);
    assertThat(jsonLines(janus("registry", "list", "--workdir", workdir, "--json").out()))
        .extracting(n -> n.get("version").asText())
        .containsExactly("1.0.0", "1.0.1", "1.1.0");

    assertThat(
            janus(
                    "registry",
                    "promote",
                    "cli_model@1.0.0",
                    "--to",
                    "production",
                    "--workdir",
                    workdir)
                .code())
        .isZero();
    JsonNode prod =
        jsonLines(
                janus("registry", "show", "cli_model@production", "--workdir", workdir, "--json")
                    .out())
            .get(0);
    assertThat(prod.get("version").asText()).isEqualTo("1.0.0");
    assertThat(prod.get("stage").asText()).isEqualTo("production");

    JsonNode lineage =
        jsonLines(
                janus("registry", "lineage", "cli_model@1.0.0", "--workdir", workdir, "--json")
                    .out())
            .get(0);
    JsonNode feature = lineage.get("features").get(0);
    assertThat(feature.get("table").asText()).isEqualTo("features.user_activity");
    assertThat(feature.get("snapshot_id").asLong()).isPositive();
    assertThat(feature.get("tag").asText()).isEqualTo("model_cli_model_v1_0_0");
    assertThat(feature.get("runs"))
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.get("run_id").asText()).hasSize(36);
              assertThat(r.get("fingerprint").asText()).hasSize(64);
            });
    assertThat(lineage.get("training_set").get("table").asText()).isEqualTo("training.cli_ts");

    // Batch prediction over the training spine, exported; the spine's columns come first.
    Path export = dir.resolve("preds.jsonl");
    CliRun predict =
        janus(
            "predict",
            "--model",
            "cli_model",
            "--spine",
            dir.resolve("spine.jsonl").toString(),
            "--name",
            "cli_preds",
            "--export",
            export.toString(),
            "--workdir",
            workdir,
            "--json");
    assertThat(predict.code()).as(predict.err()).isZero();
    JsonNode pr = jsonLines(predict.out()).get(0);
    assertThat(pr.get("published").asBoolean()).isTrue();
    assertThat(pr.get("model_version").asText()).isEqualTo("1.0.0");
    List<JsonNode> scored = jsonLines(Files.readString(export));
    assertThat(scored).hasSize(Files.readAllLines(dir.resolve("spine.jsonl")).size());
    assertThat(scored.get(0).fieldNames()).toIterable().startsWith("user_id", "ts", "label");
    assertThat(scored)
        .allSatisfy(
            o -> {
              assertThat(o.get("score").asDouble()).isBetween(0.0, 1.0);
              assertThat(o.get("model").asText()).isEqualTo("cli_model");
              assertThat(o.get("model_version").asText()).isEqualTo("1.0.0");
              assertThat(o.get("user_activity_snapshot_id").asLong())
                  .isEqualTo(feature.get("snapshot_id").asLong());
            });
    // The unknown user had no features: imputed, and recorded as such.
    assertThat(scored)
        .filteredOn(o -> o.get("user_id").asText().equals("nobody"))
        .singleElement()
        .satisfies(o -> assertThat(o.get("imputed").asText()).contains("user_views_5m"));

    CliRun all =
        janus(
            "predict",
            "--model",
            "cli_model@1.1.0",
            "--all-keys",
            "--name",
            "cli_all",
            "--workdir",
            workdir,
            "--json");
    assertThat(all.code()).as(all.err()).isZero();
    assertThat(jsonLines(all.out()).get(0).get("rows").asLong()).isPositive();

    // A tampered artifact: verify exits 1, predict refuses it.
    Path stored = Path.of(java.net.URI.create(v2.get("artifact").asText()));
    Files.write(stored, "not the model".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.deleteIfExists(stored.resolveSibling("." + stored.getFileName() + ".crc"));
    CliRun verify = janus("registry", "verify", "cli_model@1.1.0", "--workdir", workdir);
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.err().strip()).doesNotContain("\n").contains("has sha256");
    assertThat(janus("registry", "verify", "cli_model@1.0.0", "--workdir", workdir).code())
        .isZero();
    CliRun refused =
        janus(
            "predict",
            "--model",
            "cli_model@1.1.0",
            "--all-keys",
            "--name",
            "x",
            "--workdir",
            workdir);
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err().strip()).doesNotContain("\n").contains("tampered artifact");

    // Lifecycle and bad input: one line each.
    assertThat(janus("registry", "archive", "cli_model@1.1.0", "--workdir", workdir).code())
        .isZero();
    CliRun archived =
        janus("registry", "promote", "cli_model@1.1.0", "--to", "production", "--workdir", workdir);
    assertThat(archived.code()).isEqualTo(1);
    assertThat(archived.err().strip())
        .isEqualTo(
            "janus registry promote: cli_model@1.1.0 is archived and cannot be promoted to"
                + " production; register the artifact again for a new version");
    CliRun noLabel =
        janus(
            "train",
            "--training-set",
            "cli_ts",
            "--label",
            "nope",
            "--model",
            "m",
            "--workdir",
            workdir);
    assertThat(noLabel.err().strip())
        .isEqualTo("janus train: training set cli_ts has no column 'nope' for --label");
    CliRun ghost =
        janus("predict", "--model", "ghost", "--all-keys", "--name", "x", "--workdir", workdir);
    assertThat(ghost.err().strip()).isEqualTo("janus predict: model 'ghost' is not registered");
  }

  /** A spine row with its columns in this order: user_id, ts, label. */
  private static Map<String, Object> spineRow(String user, Object ts, int label) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("user_id", user);
    m.put("ts", ts);
    m.put("label", label);
    return m;
  }
}
