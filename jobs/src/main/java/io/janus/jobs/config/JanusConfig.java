package io.janus.jobs.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.janus.engine.iceberg.Warehouse;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The one typed configuration of Janus: YAML file ({@code --config}), then environment ({@code
 * JANUS_WORKDIR}, {@code JANUS_PARALLELISM}, {@code JANUS_PUSHGATEWAY}, {@code
 * JANUS_NOTIFY_WEBHOOK}), then command-line options, each overriding the previous. Everything has
 * an embedded default: a work directory {@code ./janus-data} holding a local warehouse with its
 * embedded catalog (Iceberg's JDBC catalog on a SQLite file).
 *
 * <pre>
 * workdir: /data/janus
 * parallelism: 4
 * catalog:            # Iceberg catalog properties; default: embedded catalog in &lt;workdir&gt;/warehouse
 *   type: rest
 *   uri: http://catalog:8181
 *   warehouse: s3://bucket/wh
 * flink:              # extra Flink configuration for jobs Janus submits
 *   taskmanager.memory.process.size: 2g
 * spark:              # extra Spark configuration for maintenance (its own JVM)
 *   spark.sql.shuffle.partitions: 8
 * pushgateway: http://pushgateway:9091   # batch commands push their final figures here
 * notifications:      # audit rejections and parity failures
 *   webhook: https://hooks.example.com/janus
 *   file: /var/log/janus/notifications.jsonl   # default: &lt;workdir&gt;/reports/notifications.jsonl
 * redis:              # the online store; default with bin/janus: an embedded redis-server
 *   uri: redis://redis.internal:6379          # or JANUS_REDIS_URI
 *   password_file: /run/secrets/redis-password
 * kafka:              # the brokers of kafka:TOPIC sources; --kafka overrides bootstrap_servers
 *   bootstrap_servers: kafka-1:9093,kafka-2:9093
 *   security_protocol: SASL_SSL                # PLAINTEXT (default), SSL, SASL_PLAINTEXT, SASL_SSL
 *   sasl_mechanism: SCRAM-SHA-512              # SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN
 *   username: janus
 *   password_file: /run/secrets/kafka-password
 *   properties:                                # any other Kafka consumer setting
 *     ssl.truststore.type: PEM
 *     ssl.truststore.location: /etc/janus/kafka-ca.pem
 * </pre>
 *
 * @param workdir work directory: warehouse (embedded), reports, redis data, checkpoints, temp files
 * @param parallelism default parallelism of jobs (0 = Flink's default)
 * @param catalog Iceberg catalog properties (empty = embedded catalog under workdir)
 * @param flink extra Flink configuration
 * @param spark extra Spark configuration for {@code janus maintain}
 * @param pushgateway Prometheus Pushgateway address the batch commands push their figures to (null
 *     = none)
 * @param notifications where audit rejections and parity failures are sent
 * @param redis the online store's address and password file
 * @param kafka the Kafka brokers and how to reach them
 */
public record JanusConfig(
    Path workdir,
    int parallelism,
    Map<String, String> catalog,
    Map<String, String> flink,
    Map<String, String> spark,
    String pushgateway,
    Notifications notifications,
    Redis redis,
    Kafka kafka)
    implements Serializable {

  /**
   * The online store.
   *
   * @param uri Redis URI (null = the embedded server of bin/janus); a password in it is read but
   *     better kept in {@code passwordFile}
   * @param passwordFile file holding the password (its content, trailing newline ignored), null =
   *     none
   */
  public record Redis(String uri, String passwordFile) implements Serializable {
    @Override
    public String toString() {
      return "Redis[uri=" + (uri == null ? null : "(set)") + ", passwordFile=" + passwordFile + "]";
    }
  }

  /**
   * The Kafka brokers of {@code kafka:TOPIC} sources and the client security to reach them.
   *
   * @param bootstrapServers {@code host:port,…} (null = {@code localhost:9092})
   * @param securityProtocol Kafka's {@code security.protocol} (null = {@code PLAINTEXT})
   * @param saslMechanism {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512} or {@code PLAIN} (null =
   *     none)
   * @param username the SASL user (null = none)
   * @param passwordFile file holding the SASL user's password (its content, trailing newline
   *     ignored)
   * @param properties further Kafka consumer settings ({@code ssl.truststore.location}, …)
   */
  public record Kafka(
      String bootstrapServers,
      String securityProtocol,
      String saslMechanism,
      String username,
      String passwordFile,
      Map<String, String> properties)
      implements Serializable {
    /** Canonical form: no null properties. */
    public Kafka {
      properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** Nothing configured: plaintext brokers on {@code localhost:9092}. */
    public static Kafka none() {
      return new Kafka(null, null, null, null, null, Map.of());
    }

    @Override
    public String toString() {
      return "Kafka[bootstrapServers="
          + bootstrapServers
          + ", securityProtocol="
          + securityProtocol
          + ", saslMechanism="
          + saslMechanism
          + ", username="
          + username
          + ", passwordFile="
          + passwordFile
          + ", properties="
          + redacted(properties)
          + "]";
    }
  }

  /**
   * Destinations of notifications.
   *
   * @param webhook URL that receives each notification as a JSON POST (null = none)
   * @param file JSON-lines file each notification is appended to (null = {@code
   *     <workdir>/reports/notifications.jsonl})
   */
  public record Notifications(String webhook, String file) implements Serializable {}

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private record FileSpec(
      String workdir,
      Integer parallelism,
      Map<String, String> catalog,
      Map<String, String> flink,
      Map<String, String> spark,
      String pushgateway,
      Notifications notifications,
      Redis redis,
      Kafka kafka) {}

  /** Defaults only. */
  public static JanusConfig defaults() {
    return new JanusConfig(
        Path.of("janus-data"),
        0,
        Map.of(),
        Map.of(),
        Map.of(),
        null,
        new Notifications(null, null),
        new Redis(null, null),
        Kafka.none());
  }

  /**
   * Loads: file (if given) over defaults, then environment, then the explicit overrides (null = not
   * given).
   */
  public static JanusConfig load(
      Path file, Map<String, String> env, Path workdirOverride, Integer parallelismOverride) {
    JanusConfig c = defaults();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("config file " + file + " does not exist");
      }
      try {
        FileSpec spec = YAML.readValue(file.toFile(), FileSpec.class);
        if (spec != null) {
          c =
              new JanusConfig(
                  spec.workdir() == null ? c.workdir() : Path.of(spec.workdir()),
                  spec.parallelism() == null ? c.parallelism() : spec.parallelism(),
                  spec.catalog() == null ? c.catalog() : Map.copyOf(spec.catalog()),
                  spec.flink() == null ? c.flink() : Map.copyOf(spec.flink()),
                  spec.spark() == null ? c.spark() : Map.copyOf(spec.spark()),
                  spec.pushgateway() == null ? c.pushgateway() : spec.pushgateway(),
                  spec.notifications() == null ? c.notifications() : spec.notifications(),
                  spec.redis() == null ? c.redis() : spec.redis(),
                  spec.kafka() == null ? c.kafka() : spec.kafka());
        }
      } catch (UnrecognizedPropertyException e) {
        String path =
            String.join(
                ".",
                e.getPath().stream()
                    .map(
                        r -> r.getFieldName() == null ? "[" + r.getIndex() + "]" : r.getFieldName())
                    .toList());
        throw new IllegalArgumentException(
            file
                + ": unknown setting '"
                + path
                + "' (known: "
                + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList()
                + ")");
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage().split("\n")[0]);
      }
    }
    if (env.get("JANUS_WORKDIR") != null) {
      c = c.withWorkdir(Path.of(env.get("JANUS_WORKDIR")));
    }
    if (env.get("JANUS_PARALLELISM") != null) {
      try {
        c = c.withParallelism(Integer.parseInt(env.get("JANUS_PARALLELISM")));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "JANUS_PARALLELISM must be a whole number, got '" + env.get("JANUS_PARALLELISM") + "'");
      }
    }
    if (present(env.get("JANUS_PUSHGATEWAY"))) {
      c = c.with(env.get("JANUS_PUSHGATEWAY"), c.notifications(), c.redis());
    }
    if (present(env.get("JANUS_NOTIFY_WEBHOOK"))) {
      Notifications n =
          new Notifications(env.get("JANUS_NOTIFY_WEBHOOK"), c.notifications().file());
      c = c.with(c.pushgateway(), n, c.redis());
    }
    if (present(env.get("JANUS_REDIS_URI"))) {
      Redis r = new Redis(env.get("JANUS_REDIS_URI"), c.redis().passwordFile());
      c = c.with(c.pushgateway(), c.notifications(), r);
    }
    if (workdirOverride != null) {
      c = c.withWorkdir(workdirOverride);
    }
    if (parallelismOverride != null) {
      c = c.withParallelism(parallelismOverride);
    }
    return c.withWorkdir(c.workdir().toAbsolutePath().normalize());
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  private JanusConfig with(String gateway, Notifications n, Redis r) {
    return new JanusConfig(workdir, parallelism, catalog, flink, spark, gateway, n, r, kafka);
  }

  private JanusConfig withWorkdir(Path dir) {
    return new JanusConfig(
        dir, parallelism, catalog, flink, spark, pushgateway, notifications, redis, kafka);
  }

  private JanusConfig withParallelism(int p) {
    return new JanusConfig(
        workdir, p, catalog, flink, spark, pushgateway, notifications, redis, kafka);
  }

  /**
   * The Iceberg catalog properties in effect: the configured ones, or those of the embedded catalog
   * in {@code <workdir>/warehouse}. Processes that are not Flink jobs (maintenance) open the same
   * catalog from these.
   */
  public Map<String, String> catalogProperties() {
    if (!catalog.isEmpty()) {
      return catalog;
    }
    return Warehouse.localProperties(workdir.resolve("warehouse"));
  }

  /**
   * The warehouse: the configured catalog, or the embedded catalog in {@code <workdir>/warehouse}.
   */
  public Warehouse warehouse() {
    if (catalog.isEmpty()) {
      return Warehouse.local(workdir.resolve("warehouse"));
    }
    return Warehouse.of(new HashMap<>(catalog));
  }

  /** Everything but secrets: catalog values of credential-like keys are shown as {@code (set)}. */
  @Override
  public String toString() {
    return "JanusConfig[workdir="
        + workdir
        + ", parallelism="
        + parallelism
        + ", catalog="
        + redacted(catalog)
        + ", flink="
        + flink
        + ", spark="
        + spark
        + ", pushgateway="
        + pushgateway
        + ", notifications="
        + notifications
        + ", redis="
        + redis
        + ", kafka="
        + kafka
        + "]";
  }

  /** The settings with the values of credential-like keys shown as {@code (set)}. */
  static Map<String, String> redacted(Map<String, String> settings) {
    Map<String, String> shown = new java.util.TreeMap<>();
    settings.forEach(
        (k, v) ->
            shown.put(
                k, k.matches("(?i).*(password|secret|token|credential|key|jaas).*") ? "(set)" : v));
    return shown;
  }

  /** The JSON-lines file notifications are appended to. */
  public Path notificationsFile() {
    return notifications.file() == null
        ? reports().resolve("notifications.jsonl")
        : Path.of(notifications.file());
  }

  public Path reports() {
    return workdir.resolve("reports");
  }

  public Path tmp() {
    return workdir.resolve("tmp");
  }
}
