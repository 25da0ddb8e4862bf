package io.janus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * End to end on a real Flink standalone session cluster: {@code bin/flink-cluster start}, Janus jobs
 * submitted with {@code bin/flink run jobs/target/janus-jobs.jar ...} exactly as a user would, checked
 * through the REST API, then {@code bin/flink-cluster stop}; every process it started is gone by PID.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Path ROOT = Path.of(System.getProperty("janus.root", "..")).toAbsolutePath().normalize();
  @TempDir static Path dir;
  static Map<String, String> env;
  static int restPort;
  static Path workdir;
  static List<Long> pids = new ArrayList<>();

  record Run(int code, String out) {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Run run(List<String> command) throws Exception {
    Path log = Files.createTempFile(dir, "run", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
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
    List<String> cmd = new ArrayList<>(List.of("bin/flink", "run", ROOT.resolve("jobs/target/janus-jobs.jar").toString()));
    cmd.addAll(List.of(janusArgs));
    cmd.addAll(List.of("--workdir", workdir.toString()));
    Run r = run(cmd);
    assertThat(r.code()).as(String.join(" ", janusArgs) + ":\n" + r.out()).isZero();
    return r;
  }

  static JsonNode lastJson(Run r) throws Exception {
    List<String> lines = r.out().lines().filter(l -> l.startsWith("{")).toList();
    assertThat(lines).as(r.out()).isNotEmpty();
    return JSON.readTree(lines.get(lines.size() - 1));
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @BeforeAll
  static void startCluster() throws Exception {
    assertThat(ROOT.resolve("jobs/target/janus-jobs.jar")).as("the shaded jobs jar (mvn package)").exists();
    restPort = freePort();
    workdir = dir.resolve("janus-data");
    env = new HashMap<>();
    env.put("JANUS_FLINK_STATE", dir.resolve("flink").toString());
    env.put("JANUS_FLINK_REST_PORT", Integer.toString(restPort));
    env.put("JANUS_FLINK_RPC_PORT", Integer.toString(freePort()));
    env.put("JANUS_FLINK_PROM_PORTS", freePort() + " " + freePort());
    Run start = run(List.of("bin/flink-cluster", "start"));
    for (String name : List.of("jobmanager", "taskmanager")) {
      Path pid = dir.resolve("flink/run/" + name + ".pid");
      if (Files.exists(pid)) pids.add(Long.parseLong(Files.readString(pid).trim()));
    }
    assertThat(start.code()).as(start.out()).isZero();
    assertThat(start.out()).contains("flink-cluster: up in");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    try {
      Run stop = run(List.of("bin/flink-cluster", "stop"));
      assertThat(stop.code()).as(stop.out()).isZero();
      for (long pid : pids) {
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process " + pid + " stopped").isFalse();
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
    JsonNode ingest = lastJson(flinkRun("ingest", "--generate", "20000", "--json"));
    assertThat(ingest.get("events").asLong()).isPositive();
    JsonNode backfill = lastJson(flinkRun("backfill", "--group", "user_activity", "--start", "2024-01-01", "--end", "2024-01-02", "--json"));
    assertThat(backfill.get("published").asBoolean()).isTrue();
    long rowsWritten = backfill.get("rows_written").asLong();
    assertThat(rowsWritten).isPositive();
    Run read = flinkRun("read", "--group", "user_activity", "--json");
    assertThat(read.out().lines().filter(l -> l.startsWith("{")).count()).as("rows read back").isEqualTo(rowsWritten);

    JsonNode jobs = JSON.readTree(get("/jobs/overview").body()).get("jobs");
    Map<String, JsonNode> byName = new HashMap<>();
    jobs.forEach(j -> byName.put(j.get("name").asText(), j));
    assertThat(byName).containsKey("janus backfill user_activity 2024-01-01..2024-01-02");
    assertThat(byName.keySet()).anyMatch(n -> n.startsWith("janus ingest clickstream"));
    assertThat(jobs).allSatisfy(j -> assertThat(j.get("state").asText()).as(j.get("name").asText()).isEqualTo("FINISHED"));

    String backfillId = byName.get("janus backfill user_activity 2024-01-01..2024-01-02").get("jid").asText();
    List<String> operators = new ArrayList<>();
    JSON.readTree(get("/jobs/" + backfillId).body()).get("vertices").forEach(v -> operators.add(v.get("name").asText()));
    assertThat(String.join("\n", operators)).contains("compute user_activity").contains("iceberg audit branch writer");
  }
}
