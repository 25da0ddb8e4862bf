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
 * exists (or is what the documented build writes), every YAML it and its mounted configs hold
 * parses, images are pinned, and the services it names each other by exist.
 */
class DockerStackIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path DOCKER = FlinkClusterIT.ROOT.resolve("docker");

  /**
   * Mounted build outputs: the jobs jar (mvn package) and the AWS bundle (mvn -Pdocker package).
   */
  private static final Set<String> BUILT =
      Set.of(
          "../jobs/target/janus-jobs.jar", "../cluster/target/docker-lib/iceberg-aws-bundle.jar");

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
      if (BUILT.contains(m)) continue;
      assertThat(DOCKER.resolve(m).normalize()).as("mounted by docker/compose.yaml").exists();
    }
    assertThat(FlinkClusterIT.ROOT.resolve("jobs/target/janus-jobs.jar")).exists();
    assertThat(Files.readString(FlinkClusterIT.ROOT.resolve("cluster/pom.xml")))
        .contains("<destFileName>iceberg-aws-bundle.jar</destFileName>");
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
