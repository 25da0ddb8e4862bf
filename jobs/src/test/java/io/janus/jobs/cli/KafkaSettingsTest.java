package io.janus.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.jobs.Failures.CliException;
import io.janus.jobs.config.JanusConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config's kafka section as consumer properties, and its one-line refusals. */
class KafkaSettingsTest {
  @TempDir Path dir;

  JanusConfig.Kafka load(String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve("janus.yaml"), yaml);
    return JanusConfig.load(file, Map.of(), dir, null).kafka();
  }

  @Test
  void scramOverTlsBecomesTheConsumersSecuritySettingsWithThePasswordFromItsFile()
      throws Exception {
    Files.writeString(dir.resolve("pw"), "se\"cr\\et\n");
    JanusConfig.Kafka k =
        load(
            """
            kafka:
              bootstrap_servers: k1:9093
              security_protocol: sasl_ssl
              sasl_mechanism: SCRAM-SHA-512
              username: janus
              password_file: %s
              properties:
                ssl.truststore.type: PEM
                ssl.truststore.location: /etc/ca.pem
            """
                .formatted(dir.resolve("pw")));
    assertThat(k.bootstrapServers()).isEqualTo("k1:9093");
    Map<String, String> p = KafkaSettings.consumerProperties(k, "janus.yaml");
    assertThat(p)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", "/etc/ca.pem")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"janus\" password=\"se\\\"cr\\\\et\";");
    // Kafka's own parser reads the escaped password back as written.
    var jaas =
        org.apache.kafka.common.security.JaasContext.loadClientContext(
            Map.of(
                "sasl.jaas.config",
                new org.apache.kafka.common.config.types.Password(p.get("sasl.jaas.config"))));
    Map<String, ?> options = jaas.configurationEntries().get(0).getOptions();
    assertThat(options.get("password")).isEqualTo("se\"cr\\et");
    assertThat(k.toString()).doesNotContain("se\"cr");
  }

  @Test
  void withoutAKafkaSectionTheBrokersArePlaintext() {
    JanusConfig.Kafka k = JanusConfig.load(null, Map.of(), dir, null).kafka();
    assertThat(KafkaSettings.consumerProperties(k, "config"))
        .containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
  }

  @Test
  void wrongSettingsAreRefusedWithTheSettingAndItsValue() throws Exception {
    assertThatThrownBy(
            () ->
                KafkaSettings.consumerProperties(
                    load("kafka:\n  security_protocol: SASL_TLS\n"), "janus.yaml"))
        .isInstanceOf(CliException.class)
        .hasMessage(
            "janus.yaml: kafka.security_protocol 'SASL_TLS' must be one of PLAINTEXT, SSL,"
                + " SASL_PLAINTEXT, SASL_SSL");
    assertThatThrownBy(
            () ->
                KafkaSettings.consumerProperties(
                    load(
                        "kafka:\n  security_protocol: SASL_SSL\n  sasl_mechanism: SCRAM-SHA-512\n"
                            + "  username: janus\n"),
                    "janus.yaml"))
        .hasMessage("janus.yaml: kafka.username janus needs kafka.password_file");
    assertThatThrownBy(
            () ->
                KafkaSettings.consumerProperties(
                    load(
                        "kafka:\n  security_protocol: SASL_SSL\n  sasl_mechanism: SCRAM-SHA-512\n"
                            + "  username: janus\n  password_file: "
                            + dir.resolve("missing")
                            + "\n"),
                    "janus.yaml"))
        .hasMessageStartingWith(
            "janus.yaml: kafka.password_file " + dir.resolve("missing") + ": cannot read it");
    assertThatThrownBy(
            () ->
                KafkaSettings.consumerProperties(
                    load("kafka:\n  properties:\n    group.id: other\n"), "janus.yaml"))
        .hasMessage(
            "janus.yaml: kafka.properties.group.id is set by Janus; use --consumer-group instead");
    assertThatThrownBy(
            () ->
                KafkaSettings.consumerProperties(load("kafka:\n  username: janus\n"), "janus.yaml"))
        .hasMessageStartingWith("janus.yaml: kafka.security_protocol PLAINTEXT has no SASL");
    assertThatThrownBy(() -> load("kafka:\n  user: janus\n"))
        .hasMessageContaining(
            "unknown setting 'kafka.user' (known: [bootstrap_servers, password_file,");
  }
}
