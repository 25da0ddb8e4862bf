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
    List<String> cmd =
        new ArrayList<>(
            List.of("bin/flink", "run", ROOT.resolve("jobs/target/janus-jobs.jar").toString()));
    cmd.addAll(List.of(janusArgs));
    cmd.addAll(List.of("--workdir", workdir.toString()));
    Run r = run(cmd);
    assertThat(r.code()).as(String.join(" ", janusArgs) + ":\n" + r.out()).isZero();
    return r;
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
}
