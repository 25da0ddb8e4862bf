package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.janus.engine.core.definition.DefinitionLoader;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.jobs.CliRun;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drills of issue 14 through the command line: a {@code janus stream} killed with SIGKILL and
 * started again with the same arguments resumes from its retained checkpoint; a new definition
 * version started with {@code --fresh} replays the raw table first. Each ends with every event in
 * the raw table once and every online value equal to the batch's.
 */
class StreamRestartITCase {
  @TempDir Path dir;

  static CliRun janus(String... args) {
    return CliRun.with(LocalJanus::run, args);
  }

  /** {@code janus} in its own JVM, as bin/janus runs it, its output in {@code log}. */
  static Process janusProcess(Path log, String... args) throws Exception {
    return janusProcess(log, Map.of(), args);
  }

  /** The same with more environment variables. */
  static Process janusProcess(Path log, Map<String, String> env, String... args) throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    Path conf = Path.of("..", "conf").toAbsolutePath().normalize();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx2g");
    try (Stream<String> lines = Files.lines(conf.resolve("jvm.options"))) {
      lines.filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(cmd::add);
    }
    cmd.add("-Dlog4j2.configurationFile=" + conf.resolve("log4j2-local.xml"));
    cmd.add("-cp");
    cmd.add(target.resolve("janus-local.jar") + File.pathSeparator + target.resolve("lib") + "/*");
    cmd.add("io.janus.local.LocalJanus");
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Today's sample events up to the clock, {@code events} of them, into {@code out}. */
  static Path generateToday(Path workdir, Path out, int events) {
    CliRun gen =
        janus(
            "generate",
            "--events",
            String.valueOf(events),
            "--days",
            "1",
            "--start",
            LocalDate.now(ZoneOffset.UTC).toString(),
            "--until",
            "now",
            "--out",
            out.toString(),
            "--workdir",
            workdir.toString());
    assertThat(gen.code()).as(gen.err()).isZero();
    return out;
  }

  /** Sample events of yesterday and today up to the clock, into a file. */
  Path generate(String name, int events, long seed) {
    Path out = dir.resolve(name);
    String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    CliRun r =
        janus(
            "generate",
            "--events",
            Integer.toString(events),
            "--days",
            "2",
            "--start",
            yesterday,
            "--until",
            "now",
            "--seed",
            Long.toString(seed),
            "--out",
            out.toString(),
            "--workdir",
            dir.resolve("gen").toString());
    assertThat(r.code()).as(r.err()).isZero();
    return out;
  }

  static JsonNode json(CliRun r) throws Exception {
    assertThat(r.code()).as(r.err()).isZero();
    for (String line : r.out().split("\n"))
      if (line.startsWith("{")) return EveryEventITCase.JSON.readTree(line);
    throw new AssertionError("no JSON line in: " + r.out());
  }

  @Test
  void aStreamKilledWithSigkillResumesFromItsRetainedCheckpoint() throws Exception {
    Path file = generate("events.jsonl", 600_000, 7);
    killAndResume(file, List.of("--source", "file:" + file));
  }

  @Test
  void aKafkaStreamKilledWithSigkillResumesFromItsRetainedCheckpoint() throws Exception {
    Path file = generate("events.jsonl", 600_000, 13);
    String topic = "clicks";
    org.springframework.kafka.test.EmbeddedKafkaBroker kafka =
        new org.springframework.kafka.test.EmbeddedKafkaKraftBroker(1, 2, topic)
            .brokerProperties(
                Map.of("listeners", "EXTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0"));
    kafka.afterPropertiesSet();
    try {
      java.util.Properties p = new java.util.Properties();
      p.put("bootstrap.servers", kafka.getBrokersAsString());
      p.put("linger.ms", "20");
      p.put(
          "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
      p.put(
          "value.serializer",
          org.apache.kafka.common.serialization.StringSerializer.class.getName());
      try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p);
          Stream<String> lines = Files.lines(file)) {
        lines.forEach(
            l -> producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, l)));
      }
      // Bounded: both runs stop at the offsets that were latest when the first started.
      killAndResume(
          file,
          List.of(
              "--source",
              "kafka:" + topic,
              "--kafka",
              kafka.getBrokersAsString(),
              "--start-offsets",
              "earliest",
              "--bounded"));
    } finally {
      kafka.destroy();
    }
  }

  /**
   * Streams {@code file}'s events (read through {@code source}) in a process killed with SIGKILL
   * two checkpoints in, then runs the same command again: it must resume, end, and leave every
   * valid event in the raw table once and every online value equal to the batch's.
   */
  void killAndResume(Path file, List<String> source) throws Exception {
    Path workdir = dir.resolve("wd");
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      List<String> args = new ArrayList<>(List.of("stream", "--group", "user_activity"));
      args.addAll(source);
      args.addAll(
          List.of(
              "--workdir",
              workdir.toString(),
              "--redis",
              redis.uri(),
              "--checkpoint-interval",
              "1s",
              "--json"));
      String[] stream = args.toArray(String[]::new);
      Path log = dir.resolve("first.log");
      Process first = janusProcess(log, stream);
      try {
        // Kill it two checkpoints into the run, once a checkpoint holds some events (the cold path
        // commits them to the raw table when it completes), before the end of its input. On a
        // slow start a Kafka reader may not have fetched anything by the second checkpoint.
        Path checkpoints = workdir.resolve("checkpoints").resolve("user_activity");
        long deadline = System.currentTimeMillis() + 180_000;
        while ((newestCheckpoint(checkpoints) < 2 || committedRawEvents(workdir) == 0)
            && System.currentTimeMillis() < deadline) {
          assertThat(first.isAlive()).as(Files.readString(log)).isTrue();
          Thread.sleep(100);
        }
        assertThat(first.isAlive()).as("still streaming when killed").isTrue();
      } finally {
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
      }
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(log)).doesNotContain("\"run_id\"");

      // The same command again: it resumes, and ends at the end of the input.
      CliRun second = janus(stream);
      Instant ended = Instant.now().minusSeconds(3);
      assertThat(second.err()).contains("user_activity: resumed from the retained checkpoint");
      JsonNode r = json(second);
      assertThat(r.get("restored_from").asText()).contains("/chk-");
      assertThat(r.get("replayed").asLong()).isZero();
      long valid = validEvents(file);
      assertThat(r.get("events").asLong()).isPositive().isLessThan(valid);

      // Every valid event in the raw table once, and every online value the batch's.
      Warehouse warehouse = Warehouse.local(workdir.resolve("warehouse"));
      assertThat(eventIds(warehouse)).hasSize((int) valid).doesNotHaveDuplicates();
      FeatureGroup g = DefinitionLoader.load(null).group("user_activity");
      backfill(g, workdir, null);
      assertThat(mismatches(warehouse, g, redis.uri(), ended))
          .as("keys whose online value is not the batch's")
          .isZero();
    }
  }

  @Test
  void aNewDefinitionVersionStartedFreshFirstReplaysTheRawTable() throws Exception {
    List<String> lines = Files.readAllLines(generate("events.jsonl", 200_000, 11));
    int half = lines.size() / 2;
    Path first = Files.write(dir.resolve("first.jsonl"), lines.subList(0, half));
    Path second = Files.write(dir.resolve("second.jsonl"), lines.subList(half, lines.size()));
    Path workdir = dir.resolve("wd");
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      JsonNode v1 =
          json(
              janus(
                  "stream",
                  "--group",
                  "user_activity",
                  "--source",
                  "file:" + first,
                  "--workdir",
                  workdir.toString(),
                  "--redis",
                  redis.uri(),
                  "--json"));
      assertThat(v1.get("replayed").asLong()).isZero();

      // Version 2 adds a lifetime count: its state cannot come from version 1's.
      Path defs = Files.createDirectories(dir.resolve("defs"));
      String v2yaml =
          Files.readString(
                  Path.of(
                      "..",
                      "..",
                      "features",
                      "src",
                      "main",
                      "resources",
                      "janus",
                      "definitions",
                      "groups",
                      "user_activity.yaml"))
              .replace("version: 1", "version: 2")
              .replace(
                  "features:\n",
                  "features:\n  - {name: user_events_all, agg: count, window: lifetime}\n");
      Files.writeString(defs.resolve("user_activity.yaml"), v2yaml);
      CliRun fresh =
          janus(
              "stream",
              "--group",
              "user_activity",
              "--definitions",
              defs.toString(),
              "--source",
              "file:" + second,
              "--workdir",
              workdir.toString(),
              "--redis",
              redis.uri(),
              "--fresh",
              "--json");
      assertThat(fresh.err())
          .contains("user_activity: --fresh: starting over, replaying the raw table first");
      Instant ended = Instant.now().minusSeconds(3);
      JsonNode v2 = json(fresh);
      long firstValid = v1.get("events").asLong();
      assertThat(v2.get("replayed").asLong()).isEqualTo(firstValid);
      assertThat(v2.get("already_stored").asLong()).isZero();

      Warehouse warehouse = Warehouse.local(workdir.resolve("warehouse"));
      FeatureGroup g = DefinitionLoader.load(defs).group("user_activity");
      assertThat(g.version()).isEqualTo(2);
      backfill(g, workdir, defs);
      assertThat(mismatches(warehouse, g, redis.uri(), ended))
          .as("keys whose online value is not the batch's")
          .isZero();
    }
  }

  /**
   * The number of the newest completed checkpoint in {@code dir} (0 = none). Only the newest is
   * retained, so counting their {@code _metadata} files would see 2 only while one replaces
   * another.
   */
  static long newestCheckpoint(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) return 0;
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(p -> p.getParent().getFileName().toString())
          .filter(n -> n.matches("chk-\\d+"))
          .mapToLong(n -> Long.parseLong(n.substring(4)))
          .max()
          .orElse(0);
    }
  }

  /** The events committed to the raw table so far by a running stream, 0 before its first. */
  static long committedRawEvents(Path workdir) {
    try {
      var table =
          Warehouse.local(workdir.resolve("warehouse"))
              .load(TableIdentifier.of("raw", "clickstream"));
      return table.currentSnapshot() == null
          ? 0
          : Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0"));
    } catch (RuntimeException notYet) { // no warehouse or table yet
      return 0;
    }
  }

  /** The valid events of {@code file}: what an ingest of it into a workdir of its own stores. */
  long validEvents(Path file) throws Exception {
    JsonNode r =
        json(
            janus(
                "ingest",
                "--file",
                file.toString(),
                "--workdir",
                dir.resolve("count").toString(),
                "--json"));
    return r.get("events").asLong();
  }

  static List<String> eventIds(Warehouse warehouse) throws Exception {
    List<String> ids = new ArrayList<>();
    try (CloseableIterable<Record> it =
        IcebergGenerics.read(warehouse.load(TableIdentifier.of("raw", "clickstream")))
            .select("event_id")
            .build()) {
      for (Record r : it) ids.add((String) r.getField("event_id"));
    }
    return ids;
  }

  static void backfill(FeatureGroup g, Path workdir, Path defs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "backfill",
                "--group",
                g.name(),
                "--start",
                LocalDate.now(ZoneOffset.UTC).minusDays(1).toString(),
                "--end",
                LocalDate.now(ZoneOffset.UTC).plusDays(1).toString(),
                "--workdir",
                workdir.toString()));
    if (defs != null) args.addAll(List.of("--definitions", defs.toString()));
    CliRun r = janus(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
  }

  /**
   * Keys whose online value is not one of their offline rows, or older than the last row valid at
   * {@code streamed} (the stream ran past it, so it wrote that row or a later one), or valid after
   * the check (from the future).
   */
  static int mismatches(Warehouse warehouse, FeatureGroup g, String redisUri, Instant streamed)
      throws Exception {
    Instant checkedAt = Instant.now().plusSeconds(1);
    Map<String, List<Map<String, Object>>> rowsOf = new HashMap<>();
    String entity = g.entity().get(0);
    for (Map<String, Object> row : new OfflineReader(warehouse, g).rows(null, null))
      rowsOf.computeIfAbsent(String.valueOf(row.get(entity)), k -> new ArrayList<>()).add(row);
    assertThat(rowsOf).hasSizeGreaterThan(1000);
    int mismatches = 0;
    try (RedisOnlineStore store = new RedisOnlineStore(redisUri)) {
      OnlineReader reader = new OnlineReader(store);
      for (Map.Entry<String, List<Map<String, Object>>> e : rowsOf.entrySet()) {
        OnlineReader.Result online = reader.get(g, e.getKey());
        Instant mustReach = null;
        Map<String, Object> same = null;
        for (Map<String, Object> row : e.getValue()) {
          Instant vf = (Instant) row.get("valid_from");
          if (!vf.isAfter(streamed) && (mustReach == null || vf.isAfter(mustReach))) mustReach = vf;
          if (online.found() && vf.equals(online.validFrom())) same = row;
        }
        boolean expired = mustReach != null && mustReach.plus(g.ttl()).isBefore(checkedAt);
        if (!online.found() && (mustReach == null || expired)) continue;
        if (!online.found()
            || same == null
            || online.validFrom().isAfter(checkedAt)
            || (mustReach != null && online.validFrom().isBefore(mustReach))) {
          mismatches++;
          continue;
        }
        for (var f : g.features()) {
          if (!java.util.Objects.equals(online.features().get(f.name()), same.get(f.name()))) {
            mismatches++;
            break;
          }
        }
      }
    }
    return mismatches;
  }
}
