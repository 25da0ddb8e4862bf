package io.janus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.embedded.EmbeddedRedis;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a real Flink standalone session cluster: {@code bin/flink-cluster start}, Janus
 * jobs submitted with {@code bin/flink run jobs/target/janus-jobs.jar ...} exactly as a user would,
 * checked through the REST API and the metrics they export (the reporters' endpoints, and the
 * figures batch commands push to a real Prometheus Pushgateway), then {@code bin/flink-cluster
 * stop}; every process it started is gone by PID. The Pushgateway is Debian's {@code
 * prometheus-pushgateway}, which {@code .ci/run} installs; without it the Pushgateway checks are
 * skipped unless {@code JANUS_REQUIRE_PROMETHEUS_TOOLS=1}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Path ROOT =
      Path.of(System.getProperty("janus.root", "..")).toAbsolutePath().normalize();
  @TempDir static Path dir;
  static Map<String, String> env;
  static int restPort;
  static Path workdir;
  static List<Long> pids = new ArrayList<>();
  static int[] promPorts;
  static Process pushgateway;
  static int pushgatewayPort;
  static long ingested;
  static long rowsWritten;

  record Run(int code, String out) {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Run run(List<String> command) throws Exception {
    Path log = Files.createTempFile(dir, "run", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in 10 minutes: " + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log));
  }

  /** {@code bin/flink run <jobs jar> <janus args>}: the Janus command as a job on the cluster. */
  static Run flinkRun(String... janusArgs) throws Exception {
    return flinkRunIn(workdir, janusArgs);
  }

  /**
   * {@code bin/janus generate}: the local launcher has the sample generator, the jobs jar does not.
   */
  static Path generate(String name, String... args) throws Exception {
    Path file = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of("bin/janus", "generate"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--out", file.toString(), "--workdir", workdir.toString()));
    Run r = run(cmd);
    assertThat(r.code()).as("bin/janus generate:\n" + r.out()).isZero();
    return file;
  }

  static JsonNode lastJson(Run r) throws Exception {
    List<String> lines = r.out().lines().filter(l -> l.startsWith("{")).toList();
    assertThat(lines).as(r.out()).isNotEmpty();
    return JSON.readTree(lines.get(lines.size() - 1));
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @BeforeAll
  static void startCluster() throws Exception {
    assertThat(ROOT.resolve("jobs/target/janus-jobs.jar"))
        .as("the shaded jobs jar (mvn package)")
        .exists();
    restPort = freePort();
    workdir = dir.resolve("janus-data");
    env = new HashMap<>();
    env.put("JANUS_FLINK_STATE", dir.resolve("flink").toString());
    env.put("JANUS_FLINK_REST_PORT", Integer.toString(restPort));
    env.put("JANUS_FLINK_RPC_PORT", Integer.toString(freePort()));
    promPorts = new int[] {freePort(), freePort()};
    env.put("JANUS_FLINK_PROM_PORTS", promPorts[0] + " " + promPorts[1]);
    startPushgateway();
    Run start = run(List.of("bin/flink-cluster", "start"));
    for (String name : List.of("jobmanager", "taskmanager")) {
      Path pid = dir.resolve("flink/run/" + name + ".pid");
      if (Files.exists(pid)) pids.add(Long.parseLong(Files.readString(pid).trim()));
    }
    assertThat(start.code()).as(start.out()).isZero();
    assertThat(start.out()).contains("flink-cluster: up in");
  }

  /** An executable on the PATH, or null. */
  static Path onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }

  static void startPushgateway() throws Exception {
    Path binary = onPath("prometheus-pushgateway");
    if (binary == null) {
      assertThat(System.getenv("JANUS_REQUIRE_PROMETHEUS_TOOLS"))
          .as("prometheus-pushgateway is required here (apt-get install prometheus-pushgateway)")
          .isNotEqualTo("1");
      return;
    }
    pushgatewayPort = freePort();
    pushgateway =
        new ProcessBuilder(binary.toString(), "--web.listen-address=127.0.0.1:" + pushgatewayPort)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("pushgateway.log").toFile())
            .start();
    boolean ready = false;
    for (int i = 0; i < 100 && !ready; i++) {
      try {
        ready =
            HTTP.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + pushgatewayPort + "/-/ready"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!ready) Thread.sleep(100);
    }
    assertThat(ready)
        .as("the Pushgateway answers /-/ready within 10 s: " + dir.resolve("pushgateway.log"))
        .isTrue();
    env.put("JANUS_PUSHGATEWAY", "127.0.0.1:" + pushgatewayPort);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (pushgateway != null) {
      pushgateway.destroy();
      pushgateway.waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Run stop = run(List.of("bin/flink-cluster", "stop"));
      assertThat(stop.code()).as(stop.out()).isZero();
      for (long pid : pids) {
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            .as("process " + pid + " stopped")
            .isFalse();
      }
    } finally {
      for (long pid : pids) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  @Order(1)
  void clusterServesTheDashboardWithOneTaskManager() throws Exception {
    JsonNode overview = JSON.readTree(get("/overview").body());
    assertThat(overview.get("taskmanagers").asInt()).isEqualTo(1);
    assertThat(overview.get("flink-version").asText()).isEqualTo("2.1.1");
    assertThat(get("/").body()).contains("Apache Flink Web Dashboard");
    Run status = run(List.of("bin/flink-cluster", "status"));
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("jobmanager: running").contains("taskmanager: running");
  }

  @Test
  @Order(2)
  void janusJobsRunWithFlinkRunAndFinishUnderTheirNames() throws Exception {
    // The sample generator is local only (bin/janus): generate a file, ingest it on the cluster.
    Path sample = generate("sample.jsonl", "--events", "20000");
    JsonNode ingest = lastJson(flinkRun("ingest", "--file", sample.toString(), "--json"));
    ingested = ingest.get("events").asLong();
    assertThat(ingested).isPositive();
    JsonNode backfill =
        lastJson(
            flinkRun(
                "backfill",
                "--group",
                "user_activity",
                "--start",
                "2024-01-01",
                "--end",
                "2024-01-02",
                "--json"));
    assertThat(backfill.get("published").asBoolean()).isTrue();
    rowsWritten = backfill.get("rows_written").asLong();
    assertThat(rowsWritten).isPositive();
    Run read = flinkRun("read", "--group", "user_activity", "--json");
    assertThat(read.out().lines().filter(l -> l.startsWith("{")).count())
        .as("rows read back")
        .isEqualTo(rowsWritten);

    JsonNode jobs = JSON.readTree(get("/jobs/overview").body()).get("jobs");
    Map<String, JsonNode> byName = new HashMap<>();
    jobs.forEach(j -> byName.put(j.get("name").asText(), j));
    assertThat(byName).containsKey("janus backfill user_activity 2024-01-01..2024-01-02");
    assertThat(byName.keySet()).anyMatch(n -> n.startsWith("janus ingest clickstream"));
    assertThat(jobs)
        .allSatisfy(
            j ->
                assertThat(j.get("state").asText())
                    .as(j.get("name").asText())
                    .isEqualTo("FINISHED"));

    String backfillId =
        byName.get("janus backfill user_activity 2024-01-01..2024-01-02").get("jid").asText();
    List<String> operators = new ArrayList<>();
    JSON.readTree(get("/jobs/" + backfillId).body())
        .get("vertices")
        .forEach(v -> operators.add(v.get("name").asText()));
    assertThat(String.join("\n", operators))
        .contains("compute user_activity")
        .contains("iceberg audit branch writer");
  }

  static String scrape(int port) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * The value of the one sample of {@code name} whose labels contain every one of {@code labels}.
   */
  static double sample(String exposition, String name, String... labels) {
    List<String> hits =
        exposition
            .lines()
            .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
            .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
            .toList();
    assertThat(hits).as(name + " " + List.of(labels) + " in\n" + exposition).hasSize(1);
    String line = hits.get(0);
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  @Test
  @Order(3)
  void reportersServeFlinkMetrics() throws Exception {
    assertThat(sample(scrape(promPorts[0]), "flink_jobmanager_numRegisteredTaskManagers"))
        .isEqualTo(1.0);
    assertThat(scrape(promPorts[1])).contains("flink_taskmanager_Status_JVM_CPU_Load");
  }

  @Test
  @Order(4)
  void batchCommandsPushTheirFiguresToThePushgateway() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        pushgateway != null, "no prometheus-pushgateway binary");
    String metrics = scrape(pushgatewayPort);
    assertThat(
            sample(
                metrics,
                "janus_ingest_events_total",
                "job=\"janus_ingest\"",
                "source=\"clickstream\""))
        .isEqualTo((double) ingested);
    assertThat(sample(metrics, "janus_backfill_rows_written_total", "group=\"user_activity\""))
        .as("rows written = rows read back")
        .isEqualTo((double) rowsWritten);
    assertThat(sample(metrics, "janus_backfill_audit_passed", "group=\"user_activity\""))
        .isEqualTo(1.0);
    assertThat(sample(metrics, "janus_backfill_published", "group=\"user_activity\""))
        .isEqualTo(1.0);
    assertThat(sample(metrics, "janus_backfill_audit_rows", "group=\"user_activity\""))
        .isEqualTo((double) rowsWritten);
    assertThat(sample(metrics, "janus_backfill_audit_null_ratio", "column=\"user_cr_24h\""))
        .isBetween(0.0, 1.0);
    assertThat(
            sample(
                    metrics,
                    "janus_backfill_last_publish_timestamp_seconds",
                    "group=\"user_activity\"")
                * 1000)
        .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(600_000.0));
  }

  @Test
  @Order(6)
  void theFlinkRunJarCarriesNoEmbeddedServerDemoOrBenchmarks() throws Exception {
    try (java.util.zip.ZipFile jar =
        new java.util.zip.ZipFile(ROOT.resolve("jobs/target/janus-jobs.jar").toFile())) {
      List<String> names = jar.stream().map(java.util.zip.ZipEntry::getName).toList();
      assertThat(names).as("the CLI is in").contains("io/janus/jobs/JanusCli.class");
      assertThat(names)
          .as("no redis-server binary, embedded server, sample generator, demo or benchmark")
          .noneMatch(
              n ->
                  n.contains("redis-server")
                      || n.startsWith("redis/embedded/")
                      || n.startsWith("io/janus/engine/embedded/")
                      || n.startsWith("io/janus/local/")
                      || n.startsWith("io/janus/features/generate/"));
    }
  }

  @Test
  @Order(5)
  void streamSyncAndParityRunOnTheClusterToo() throws Exception {
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    Path todays = dir.resolve("today.jsonl");
    generate(
        "today.jsonl",
        "--events",
        "5000",
        "--days",
        "1",
        "--start",
        today.toString(),
        "--until",
        "now");
    // The sample's history through the day its last expiries land on: a key whose offline row was
    // cut at the end of the 2024-01-01..02 backfill (a 24 h count never brought back to 0) and that
    // comes back today with an event that changes no value disagrees with the stream, which has no
    // history of it and writes that key's first row (a CI run at 11:43 UTC failed on u11727).
    flinkRun(
        "backfill", "--group", "user_activity", "--start", "2024-01-03", "--end", "2024-01-04");
    // The flink run jar carries no embedded redis-server: the online store is a server of its own,
    // as on a cluster.
    JsonNode sync;
    JsonNode parity;
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      JsonNode stream =
          lastJson(
              flinkRun(
                  "stream",
                  "--group",
                  "user_activity",
                  "--source",
                  "file:" + todays,
                  "--json",
                  "--redis",
                  redis.uri()));
      assertThat(stream.get("events").asLong() + stream.get("malformed").asLong()).isEqualTo(5000);
      // The backfill of what the stream saw (its cold path), through the day its last expiries land
      // on.
      flinkRun(
          "backfill",
          "--group",
          "user_activity",
          "--start",
          today.toString(),
          "--end",
          today.plusDays(2).toString());
      sync =
          lastJson(flinkRun("sync", "--group", "user_activity", "--json", "--redis", redis.uri()));
      assertThat(sync.get("mode").asText()).isEqualTo("full");
      assertThat(sync.get("skipped_by_guard").asLong())
          .as("streaming wrote exactly these rows")
          .isZero();
      parity =
          lastJson(
              flinkRun("parity", "--group", "user_activity", "--json", "--redis", redis.uri()));
      assertThat(parity.get("passed").asBoolean()).as(parity.toString()).isTrue();
      assertThat(parity.get("checked").asLong())
          .isEqualTo(parity.get("matched").asLong())
          .isPositive();
    }

    List<String> finished = new ArrayList<>();
    JSON.readTree(get("/jobs/overview").body())
        .get("jobs")
        .forEach(
            j -> {
              assertThat(j.get("state").asText()).as(j.get("name").asText()).isEqualTo("FINISHED");
              finished.add(j.get("name").asText());
            });
    assertThat(finished)
        .anyMatch(n -> n.startsWith("janus stream user_activity from "))
        .anyMatch(n -> n.startsWith("janus sync user_activity: full load of snapshot "))
        .anyMatch(n -> n.startsWith("janus parity user_activity vs snapshot "));

    if (pushgateway != null) {
      String metrics = scrape(pushgatewayPort);
      assertThat(sample(metrics, "janus_sync_keys_written_total", "group=\"user_activity\""))
          .isEqualTo(sync.get("keys_written").asDouble());
      assertThat(sample(metrics, "janus_parity_checked_keys", "group=\"user_activity\""))
          .isEqualTo(parity.get("checked").asDouble());
      assertThat(sample(metrics, "janus_parity_passed", "group=\"user_activity\"")).isEqualTo(1.0);
      assertThat(
              sample(
                  metrics, "janus_parity_keys", "group=\"user_activity\"", "status=\"mismatched\""))
          .isZero();
    }
  }

  /**
   * The upgrade path of an unchanged definition on the real cluster: a stream from Kafka stopped
   * with {@code flink stop --savepointPath}, events produced while it is down, the same command
   * submitted with {@code flink run -s}: it restores the savepoint, reads on from its offsets, and
   * the online values equal a backfill over every event (none lost, none counted twice).
   */
  @Test
  @Order(6)
  void aStreamStoppedWithASavepointGoesOnFromItWithFlinkRunS() throws Exception {
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    Path events =
        generate(
            "savepoint.jsonl",
            "--events",
            "20000",
            "--days",
            "1",
            "--start",
            today.toString(),
            "--until",
            "now",
            "--seed",
            "5",
            "--malformed-rate",
            "0");
    List<String> lines = Files.readAllLines(events);
    String topic = "clicks-savepoint";
    org.springframework.kafka.test.EmbeddedKafkaBroker kafka =
        new org.springframework.kafka.test.EmbeddedKafkaKraftBroker(1, 2, topic)
            .brokerProperties(
                Map.of("listeners", "EXTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0"));
    kafka.afterPropertiesSet();
    Path wd = dir.resolve("savepoint-wd");
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis-savepoint"));
        org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
            producer(kafka.getBrokersAsString())) {
      Path pw = Files.writeString(dir.resolve("redis-savepoint-password"), redis.password());
      String bare = "redis://127.0.0.1:" + redis.port();
      List<String> stream =
          List.of(
              "stream",
              "--group",
              "user_activity",
              "--source",
              "kafka:" + topic,
              "--kafka",
              kafka.getBrokersAsString(),
              "--start-offsets",
              "earliest",
              "--redis",
              bare,
              "--redis-password-file",
              pw.toString(),
              "--checkpoint-interval",
              "2s",
              "--workdir",
              wd.toString());
      int half = lines.size() / 2;
      for (String l : lines.subList(0, half))
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, l));
      producer.flush();

      String first = submitDetached(stream, null);
      long firstValid = half;
      awaitRaw(wd, firstValid, first);
      Path savepoints = dir.resolve("savepoints");
      Run stop =
          run(
              List.of(
                  "bin/flink", "stop", "--savepointPath", savepoints.toUri().toString(), first));
      assertThat(stop.code()).as(stop.out()).isZero();
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("Savepoint completed\\. Path: (\\S+)")
              .matcher(stop.out());
      assertThat(m.find()).as(stop.out()).isTrue();
      String savepoint = m.group(1);

      // Produced while the job is down: the restored job reads them from its savepoint's offsets.
      for (String l : lines.subList(half, lines.size()))
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, l));
      // One event ten minutes ahead, of a user of its own, moves the watermark past every other
      // event (the generator's come up to 2 minutes out of order): all their rows fire.
      // Into every partition: watermarks are kept per partition.
      for (int partition = 0; partition < 2; partition++) {
        String ahead =
            lines
                .get(0)
                .replaceFirst(
                    "\"event_id\":\"[^\"]+\"", "\"event_id\":\"e-ahead-" + partition + "\"")
                .replaceFirst(
                    "\"event_ts\":\"[^\"]+\"",
                    "\"event_ts\":\"" + java.time.Instant.now().plusSeconds(600) + "\"")
                .replaceFirst("\"user_id\":\"[^\"]+\"", "\"user_id\":\"u-ahead\"");
        producer.send(
            new org.apache.kafka.clients.producer.ProducerRecord<>(topic, partition, null, ahead));
      }
      producer.flush();
      Run[] submitted = new Run[1];
      String second = submitDetached(stream, savepoint, submitted);
      assertThat(submitted[0].out())
          .contains("user_activity: restoring the savepoint " + savepoint);
      long allValid = lines.size() + 2;
      awaitRaw(wd, allValid, second);
      awaitQuiet(redis.uri()); // the rows the last events fired reach Redis
      Run cancel = run(List.of("bin/flink", "cancel", second));
      assertThat(cancel.code()).as(cancel.out()).isZero();
      assertThat(rawIds(wd)).hasSize((int) allValid).doesNotHaveDuplicates();

      flinkRunIn(
          wd,
          "backfill",
          "--group",
          "user_activity",
          "--start",
          today.toString(),
          "--end",
          today.plusDays(2).toString());
      // Before any sync: what the two jobs wrote online, compared with the batch.
      JsonNode parity =
          lastJson(
              flinkRunIn(
                  wd,
                  "parity",
                  "--group",
                  "user_activity",
                  "--json",
                  "--max-mismatch-rate",
                  "1",
                  "--redis",
                  bare,
                  "--redis-password-file",
                  pw.toString()));
      assertThat(parity.get("mismatched").asLong()).as(parity.toString()).isZero();
      assertThat(parity.get("missing_online").asLong()).as(parity.toString()).isZero();
      assertThat(parity.get("matched").asLong()).as(parity.toString()).isPositive();
    } finally {
      kafka.destroy();
    }
  }

  static org.apache.kafka.clients.producer.KafkaProducer<String, String> producer(String brokers) {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", brokers);
    p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
    p.put(
        "value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
    return new org.apache.kafka.clients.producer.KafkaProducer<>(p);
  }

  /** Waits until the number of keys in Redis stays the same for 5 s (at most 2 minutes). */
  static void awaitQuiet(String redisUri) throws Exception {
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redisUri);
        var c = client.connect()) {
      long last = -1;
      long stableSince = System.currentTimeMillis();
      long deadline = stableSince + 120_000;
      while (System.currentTimeMillis() < deadline) {
        long n = c.sync().dbsize();
        if (n != last) {
          last = n;
          stableSince = System.currentTimeMillis();
        } else if (n > 0 && System.currentTimeMillis() - stableSince > 5000) {
          return;
        }
        Thread.sleep(500);
      }
    }
  }

  /** {@code flink run -d [-s savepoint] <jobs jar> <args>}; the job id. */
  static String submitDetached(List<String> args, String savepoint, Run... out) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bin/flink", "run", "-d"));
    if (savepoint != null) cmd.addAll(List.of("-s", savepoint));
    cmd.add(ROOT.resolve("jobs/target/janus-jobs.jar").toString());
    cmd.addAll(args);
    Run r = run(cmd);
    assertThat(r.code()).as(r.out()).isZero();
    if (out.length > 0) out[0] = r;
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("JobID ([0-9a-f]{32})").matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    return m.group(1);
  }

  /** {@code flink run} of a command on workdir {@code wd}. */
  static Run flinkRunIn(Path wd, String... janusArgs) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of("bin/flink", "run", ROOT.resolve("jobs/target/janus-jobs.jar").toString()));
    cmd.addAll(List.of(janusArgs));
    cmd.addAll(List.of("--workdir", wd.toString()));
    Run r = run(cmd);
    assertThat(r.code()).as(String.join(" ", janusArgs) + ":\n" + r.out()).isZero();
    return r;
  }

  /**
   * Waits until the raw table of {@code wd} holds {@code n} events (the cold path commits on
   * checkpoints).
   */
  static void awaitRaw(Path wd, long n, String job) throws Exception {
    long deadline = System.currentTimeMillis() + 180_000;
    long seen = -1;
    while (System.currentTimeMillis() < deadline) {
      Run r =
          run(
              List.of(
                  "bin/janus",
                  "sql",
                  "--workdir",
                  wd.toString(),
                  "SELECT count(*) FROM janus.`raw`.clickstream"));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\\| +(\\d+) \\|").matcher(r.out());
      seen = m.find() ? Long.parseLong(m.group(1)) : -1;
      if (seen >= n) break;
      Thread.sleep(1000);
    }
    if (seen != n) {
      String why =
          get("/jobs/" + job).body()
              + "\n"
              + get("/jobs/" + job + "/exceptions").body()
              + "\n"
              + get("/jobs/" + job + "/checkpoints").body()
              + "\ntask managers: "
              + get("/taskmanagers").body()
              + "\njobs: "
              + get("/jobs/overview").body();
      assertThat(seen).as("events in raw.clickstream; job " + why).isEqualTo(n);
    }
  }

  /** The event ids in the raw table of {@code wd}, read from its Parquet files through Iceberg. */
  static List<String> rawIds(Path wd) throws Exception {
    Run r =
        run(
            List.of(
                "bin/janus",
                "sql",
                "--workdir",
                wd.toString(),
                "SELECT event_id FROM janus.`raw`.clickstream"));
    assertThat(r.code()).as(r.out()).isZero();
    List<String> ids = new ArrayList<>();
    for (String l : r.out().split("\n")) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("^\\|\\s+(e[-\\d]\\S*) \\|$").matcher(l);
      if (m.find()) ids.add(m.group(1));
    }
    return ids;
  }
}
