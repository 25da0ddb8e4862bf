package io.janus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The compose stack without a Docker engine (none runs on these machines): every file it mounts
 * exists (the build outputs once mvn package ran), every YAML it and its mounted configs hold
 * parses, images are pinned, the services it names each other by exist, and it is locked down.
 */
class DockerStackIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path DOCKER = FlinkClusterIT.ROOT.resolve("docker");

  /** Mounted build outputs (mvn package), which exist once the reactor reached this module. */
  private static final Set<String> BUILT =
      Set.of(
          "../jobs/target/janus-jobs.jar",
          "../jobs/local/target/janus-local.jar",
          "../jobs/local/target/lib",
          "./rest-catalog/target/lib");

  /**
   * The compose file with its anchors and merge keys ({@code <<: *flink}) resolved, as Compose
   * reads it.
   */
  static JsonNode compose() throws Exception {
    Object tree =
        new org.yaml.snakeyaml.Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
    return new ObjectMapper().valueToTree(tree);
  }

  @Test
  void everyMountedFileExistsAndEveryImageIsPinned() throws Exception {
    JsonNode services = compose().get("services");
    assertThat(services.fieldNames())
        .toIterable()
        .contains(
            "jobmanager",
            "taskmanager",
            "kafka",
            "redis",
            "minio",
            "iceberg-rest",
            "postgres",
            "prometheus",
            "pushgateway",
            "grafana",
            "serve");
    List<String> mounts = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> s = it.next();
      JsonNode svc = s.getValue();
      assertThat(svc.get("image")).as(s.getKey() + " image").isNotNull();
      assertThat(svc.get("image").asText())
          .as(s.getKey() + " image")
          .contains(":")
          .doesNotEndWith(":latest");
      if (svc.has("volumes")) {
        for (JsonNode v : svc.get("volumes")) {
          String source = v.asText().split(":")[0];
          if (source.startsWith(".")) mounts.add(source);
        }
      }
    }
    assertThat(mounts)
        .contains(
            "../jobs/target/janus-jobs.jar",
            "../jobs/local/target/janus-local.jar",
            "../monitoring/prometheus/prometheus.yml",
            "../monitoring/grafana/dashboards");
    for (String m : mounts) {
      assertThat(DOCKER.resolve(m).normalize())
          .as("mounted by docker/compose.yaml" + (BUILT.contains(m) ? " (mvn package)" : ""))
          .exists();
    }
    // The REST catalog server's classpath holds the server, its PostgreSQL backend and S3FileIO.
    try (var lib = Files.list(DOCKER.resolve("rest-catalog/target/lib"))) {
      assertThat(lib.map(f -> f.getFileName().toString()).toList())
          .anyMatch(n -> n.startsWith("iceberg-open-api-") && n.endsWith("-test-fixtures.jar"))
          .anyMatch(n -> n.startsWith("postgresql-"))
          .anyMatch(n -> n.startsWith("iceberg-aws-"))
          .anyMatch(n -> n.startsWith("s3-2."));
    }
  }

  /**
   * Issue 17: every published port listens on 127.0.0.1 only, Flink's web jar upload is off, no
   * password or key is written in the stack's files (each comes from the .env that docker/init-env
   * generates, and Compose refuses to start without it), Redis requires a password, and the REST
   * catalog keeps its tables in PostgreSQL on a volume.
   */
  @Test
  void theStackListensOnLocalhostOnlyAndHoldsNoPassword() throws Exception {
    JsonNode services = compose().get("services");
    Set<String> required = new HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> s = it.next();
      for (JsonNode port : s.getValue().path("ports")) {
        assertThat(port.asText()).as(s.getKey() + " port").startsWith("127.0.0.1:");
      }
      for (Iterator<Map.Entry<String, JsonNode>> env = s.getValue().path("environment").fields();
          env.hasNext(); ) {
        Map.Entry<String, JsonNode> e = env.next();
        String value = e.getValue().asText();
        if (e.getKey().matches(".*(PASSWORD|SECRET|MC_HOST|REDIS_URI).*")) {
          assertThat(value)
              .as(s.getKey() + " " + e.getKey())
              .matches(".*\\$\\{[A-Z_]+:\\?run docker/init-env first}.*");
        }
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("\\$\\{([A-Z_]+):\\?").matcher(value);
        while (m.find()) required.add(m.group(1));
      }
    }
    assertThat(required)
        .containsExactlyInAnyOrder(
            "MINIO_ROOT_PASSWORD", "REDIS_PASSWORD", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD");
    String text = Files.readString(DOCKER.resolve("compose.yaml"));
    assertThat(text).doesNotContain("janus-secret").doesNotContain("admin/admin");
    assertThat(services.at("/jobmanager/environment/FLINK_PROPERTIES").asText())
        .contains("web.submit.enable: false")
        .doesNotContain("secret");
    assertThat(services.at("/redis/command").toString()).contains("requirepass");
    assertThat(services.at("/iceberg-rest/environment/CATALOG_URI").asText())
        .startsWith("jdbc:postgresql://postgres:5432/");
    assertThat(services.at("/postgres/volumes/0").asText()).startsWith("postgres-data:");
    JsonNode janus = YAML.readTree(DOCKER.resolve("janus.yaml").toFile());
    assertThat(janus.get("catalog").fieldNames())
        .toIterable()
        .noneMatch(k -> k.contains("secret") || k.contains("password") || k.contains("key"));

    // docker/init-env writes every variable the file requires, generated, readable by its owner
    // only, and keeps an existing file.
    Path env = Files.createTempDirectory("janus-env").resolve(".env");
    for (int run = 0; run < 2; run++) {
      Process p =
          new ProcessBuilder(DOCKER.resolve("init-env").toString(), env.toString())
              .redirectErrorStream(true)
              .start();
      assertThat(p.waitFor()).isZero();
    }
    assertThat(Files.getPosixFilePermissions(env))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    java.util.Properties values = new java.util.Properties();
    try (var in = Files.newBufferedReader(env)) {
      values.load(in);
    }
    assertThat(values.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(required);
    values.values().forEach(v -> assertThat((String) v).matches("[0-9a-f]{48}"));
    assertThat(new HashSet<>(values.values())).hasSize(required.size());
    assertThat(Files.readString(FlinkClusterIT.ROOT.resolve(".gitignore"))).contains("docker/.env");
  }

  @Test
  void mountedConfigurationsParseAndPointAtServicesOfTheStack() throws Exception {
    Set<String> services = new HashSet<>();
    compose().get("services").fieldNames().forEachRemaining(services::add);
    for (String f :
        List.of(
            "janus.yaml",
            "alertmanager.yml",
            "grafana/provisioning/datasources/prometheus.yml",
            "grafana/provisioning/dashboards/janus.yml")) {
      assertThat(YAML.readTree(DOCKER.resolve(f).toFile())).as(f).isNotNull();
    }
    JsonNode janus = YAML.readTree(DOCKER.resolve("janus.yaml").toFile());
    assertThat(janus.at("/catalog/uri").asText()).isEqualTo("http://iceberg-rest:8181");
    assertThat(services).contains(janus.get("pushgateway").asText().split(":")[0]);

    JsonNode prometheus =
        YAML.readTree(FlinkClusterIT.ROOT.resolve("monitoring/prometheus/prometheus.yml").toFile());
    for (JsonNode scrape : prometheus.get("scrape_configs")) {
      for (JsonNode target : scrape.at("/static_configs/0/targets")) {
        assertThat(services).as("scrape target " + target).contains(target.asText().split(":")[0]);
      }
    }
    assertThat(services)
        .contains(
            prometheus
                .at("/alerting/alertmanagers/0/static_configs/0/targets/0")
                .asText()
                .split(":")[0]);
    JsonNode datasource =
        YAML.readTree(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml").toFile());
    assertThat(datasource.at("/datasources/0/url").asText()).isEqualTo("http://prometheus:9090");
  }
}
