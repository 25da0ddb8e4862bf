package io.janus.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration's catalog section: the embedded default, a configured one, no secrets shown.
 */
class JanusConfigTest {
  @TempDir Path dir;

  @Test
  void withoutACatalogSectionTheEmbeddedCatalogOfTheWorkdirIsUsed() {
    JanusConfig c = JanusConfig.load(null, Map.of(), dir, null);
    Path warehouse = dir.resolve("warehouse");
    assertThat(c.catalogProperties())
        .containsEntry("type", "jdbc")
        .containsEntry("uri", "jdbc:sqlite:" + warehouse.resolve("catalog.db"))
        .containsEntry("warehouse", warehouse.toUri().toString());
  }

  @Test
  void aConfiguredCatalogIsPassedAsWrittenAndItsSecretsAreNotPrinted() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("janus.yaml"),
            """
            catalog:
              type: jdbc
              uri: jdbc:postgresql://db:5432/janus
              jdbc.user: janus
              jdbc.password: s3cr3t-pw
              warehouse: s3://bucket/wh
              s3.secret-access-key: s3cr3t-key
            """);
    JanusConfig c = JanusConfig.load(file, Map.of(), null, null);
    assertThat(c.catalogProperties())
        .containsEntry("jdbc.password", "s3cr3t-pw")
        .containsEntry("uri", "jdbc:postgresql://db:5432/janus");
    assertThat(c.toString())
        .contains("jdbc.user=janus")
        .doesNotContain("s3cr3t-pw")
        .doesNotContain("s3cr3t-key");
  }

  @Test
  void aHadoopCatalogOnObjectStorageIsRefusedWhenOpened() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("janus.yaml"), "catalog:\n  type: hadoop\n  warehouse: s3a://bucket/wh\n");
    JanusConfig c = JanusConfig.load(file, Map.of(), null, null);
    assertThatThrownBy(c::warehouse)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a Hadoop catalog cannot live on object storage (s3a://bucket/wh)");
  }
}
