package io.janus.jobs.cli;

import io.janus.jobs.Failures.CliException;
import io.janus.jobs.config.JanusConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Kafka consumer settings of the config's {@code kafka} section: {@code security.protocol},
 * {@code sasl.mechanism} and a {@code sasl.jaas.config} built from the user and the password file,
 * then the section's free {@code properties} (trust store, …). The password is read here, on the
 * submitting machine, and travels in the job like the Redis password; a team that wants it read on
 * the TaskManagers instead gives {@code sasl.jaas.config} in {@code properties} with a Kafka config
 * provider reference (see docs/operations.md).
 */
final class KafkaSettings {
  private static final List<String> PROTOCOLS =
      List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  private static final Map<String, String> LOGIN_MODULES =
      Map.of(
          "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
          "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
          "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule");

  /** Settings the source sets itself, refused in {@code properties}. */
  private static final List<String> OWNED =
      List.of("bootstrap.servers", "group.id", "security.protocol", "sasl.mechanism");

  private KafkaSettings() {}

  /**
   * The consumer properties of {@code kafka}; {@code where} names the config file in errors.
   *
   * @throws CliException naming the setting and its value when one is wrong
   */
  static Map<String, String> consumerProperties(JanusConfig.Kafka kafka, String where) {
    Map<String, String> p = new LinkedHashMap<>();
    for (String key : kafka.properties().keySet()) {
      if (OWNED.contains(key))
        throw new CliException(
            where
                + ": kafka.properties."
                + key
                + " is set by Janus; use "
                + (key.equals("group.id") ? "--consumer-group" : "kafka." + key.replace('.', '_'))
                + " instead");
    }
    String protocol =
        kafka.securityProtocol() == null
            ? "PLAINTEXT"
            : kafka.securityProtocol().trim().toUpperCase(Locale.ROOT);
    if (!PROTOCOLS.contains(protocol))
      throw new CliException(
          where
              + ": kafka.security_protocol '"
              + kafka.securityProtocol()
              + "' must be one of "
              + String.join(", ", PROTOCOLS));
    boolean sasl = protocol.startsWith("SASL_");
    p.put("security.protocol", protocol);
    if (!sasl) {
      if (kafka.saslMechanism() != null || kafka.username() != null)
        throw new CliException(
            where
                + ": kafka.security_protocol "
                + protocol
                + " has no SASL; a sasl_mechanism or username needs SASL_SSL or SASL_PLAINTEXT");
    } else {
      String mechanism =
          kafka.saslMechanism() == null
              ? null
              : kafka.saslMechanism().trim().toUpperCase(Locale.ROOT);
      if (mechanism == null)
        throw new CliException(
            where + ": kafka.security_protocol " + protocol + " needs kafka.sasl_mechanism");
      p.put("sasl.mechanism", mechanism);
      if (kafka.username() != null) {
        if (kafka.properties().containsKey("sasl.jaas.config"))
          throw new CliException(
              where + ": kafka.username and kafka.properties.sasl.jaas.config both set; keep one");
        String module = LOGIN_MODULES.get(mechanism);
        if (module == null)
          throw new CliException(
              where
                  + ": kafka.sasl_mechanism '"
                  + kafka.saslMechanism()
                  + "' with a username must be one of "
                  + String.join(", ", new java.util.TreeSet<>(LOGIN_MODULES.keySet()))
                  + " (for others give kafka.properties.sasl.jaas.config)");
        if (kafka.passwordFile() == null)
          throw new CliException(
              where + ": kafka.username " + kafka.username() + " needs kafka.password_file");
        p.put(
            "sasl.jaas.config",
            module
                + " required username=\""
                + quoted(kafka.username())
                + "\" password=\""
                + quoted(password(Path.of(kafka.passwordFile()), where))
                + "\";");
      } else if (!kafka.properties().containsKey("sasl.jaas.config")) {
        throw new CliException(
            where
                + ": kafka.security_protocol "
                + protocol
                + " needs kafka.username and kafka.password_file (or"
                + " kafka.properties.sasl.jaas.config)");
      }
    }
    p.putAll(kafka.properties());
    return p;
  }

  private static String password(Path file, String where) {
    String password;
    try {
      password = Files.readString(file).strip();
    } catch (IOException e) {
      throw new CliException(
          where + ": kafka.password_file " + file + ": cannot read it (" + e + ")");
    }
    if (password.isEmpty())
      throw new CliException(where + ": kafka.password_file " + file + ": the file is empty");
    return password;
  }

  /** A JAAS double-quoted value: backslash and quote escaped (the parser's StreamTokenizer). */
  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
