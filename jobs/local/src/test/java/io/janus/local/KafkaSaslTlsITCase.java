package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.iceberg.Warehouse;
import io.janus.jobs.CliRun;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: a stream from a Kafka broker that takes SASL/SCRAM over TLS only, with its settings in
 * the config file's {@code kafka} section (nothing secret on the command line). The broker is
 * Kafka's own ({@code kafka.Kafka}, KRaft, in a JVM of its own): a {@code SASL_SSL} listener with a
 * certificate of a CA made by openssl, SCRAM-SHA-512 users created when its storage is formatted,
 * and the standard authorizer allowing the user {@code janus} to read one topic with one consumer
 * group and nothing else. A wrong password ends the stream with one line that names the failure and
 * not the password.
 */
class KafkaSaslTlsITCase {
  static final String TOPIC = "clicks";
  static final String GROUP = "janus-user_activity";
  static final String OTHER_TOPIC = "payments";

  @TempDir Path dir;
  Process broker;

  @AfterEach
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.destroy();
      if (!broker.waitFor(30, TimeUnit.SECONDS)) broker.destroyForcibly();
    }
    // Kept for a failure's diagnosis: the temp dir goes.
    Path log = dir.resolve("broker.log");
    if (Files.exists(log))
      Files.copy(
          log,
          Path.of("target", "KafkaSaslTlsITCase-broker.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String secret() {
    return HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
  }

  @Test
  void aStreamReadsASaslScramTlsBrokerWithItsSettingsFromTheConfig() throws Exception {
    TestCertificates tls = TestCertificates.make(dir.resolve("tls"));
    String adminPassword = secret();
    String janusPassword = secret();
    int port = freePort();
    String bootstrap = "localhost:" + port;
    startBroker(tls, port, adminPassword, janusPassword);
    Map<String, Object> admin = client(bootstrap, tls, "admin", adminPassword);
    createTopicAndAcls(admin);

    Path workdir = dir.resolve("wd");
    Path events = dir.resolve("today.jsonl");
    StreamRestartITCase.generateToday(workdir, events, 20000);
    try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(admin, new StringSerializer(), new StringSerializer());
        Stream<String> all = Files.lines(events)) {
      all.forEach(l -> producer.send(new ProducerRecord<>(TOPIC, l)));
    }

    Path config = config(bootstrap, tls, "janus-password", janusPassword);
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      CliRun stream =
          StreamRestartITCase.janus(
              stream(
                  config,
                  TOPIC,
                  workdir,
                  "--start-offsets",
                  "earliest",
                  "--bounded",
                  "--redis",
                  redis.uri(),
                  "--checkpoint-interval",
                  "2s",
                  "--json"));
      assertThat(stream.code()).as(stream.err()).isZero();
      assertThat(stream.out() + stream.err()).doesNotContain(janusPassword);
      JsonNode r = StreamRestartITCase.json(stream);
      assertThat(r.get("source").asText()).isEqualTo("kafka:" + TOPIC);
      // Every record of the topic was read: its valid events (what an ingest of the file keeps)
      // are in the raw table once.
      long valid =
          StreamRestartITCase.json(
                  StreamRestartITCase.janus(
                      "ingest",
                      "--file",
                      events.toString(),
                      "--workdir",
                      dir.resolve("count").toString(),
                      "--json"))
              .get("events")
              .asLong();
      assertThat(r.get("events").asLong()).isEqualTo(valid);
      List<String> ids =
          StreamRestartITCase.eventIds(Warehouse.local(workdir.resolve("warehouse")));
      assertThat(ids).hasSize((int) valid).doesNotHaveDuplicates();
    }

    // The same with a wrong password: one line naming the failure, never the password.
    Path wrong = config(bootstrap, tls, "wrong-password", "not-" + janusPassword);
    Path log = dir.resolve("wrong.log");
    Process p =
        StreamRestartITCase.janusProcess(
            log,
            stream(
                wrong,
                TOPIC,
                dir.resolve("wd-wrong"),
                "--start-offsets",
                "earliest",
                "--bounded",
                "--no-cold-path",
                "--json"));
    try {
      assertThat(p.waitFor(4, TimeUnit.MINUTES)).as(Files.readString(log)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isNotZero();
    List<String> errors = out.lines().filter(l -> l.startsWith("janus")).toList();
    assertThat(errors).as(out).hasSize(1);
    assertThat(errors.get(0)).as(out).containsIgnoringCase("authentication failed");
    assertThat(out).doesNotContain(janusPassword);

    // A topic janus may not read: refused at once, with Kafka's reason, not retried forever.
    CliRun denied =
        StreamRestartITCase.janus(
            stream(config, OTHER_TOPIC, dir.resolve("wd-denied"), "--bounded"));
    assertThat(denied.code()).as(denied.err()).isNotZero();
    assertThat(denied.err().lines().filter(l -> l.startsWith("janus")).toList())
        .as(denied.err())
        .singleElement()
        .asString()
        .contains("topic " + OTHER_TOPIC)
        .containsIgnoringCase("authorization failed");
  }

  /**
   * The arguments of {@code janus stream} of user_activity from {@code topic}, then {@code more}.
   */
  static String[] stream(Path config, String topic, Path workdir, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "stream",
                "--config",
                config.toString(),
                "--group",
                "user_activity",
                "--source",
                "kafka:" + topic,
                "--workdir",
                workdir.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** The config file of a stream: the kafka section, the password in a file of mode 600. */
  Path config(String bootstrap, TestCertificates tls, String passwordFile, String password)
      throws Exception {
    Path pw = Files.writeString(dir.resolve(passwordFile), password + "\n");
    Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
    return Files.writeString(
        dir.resolve(passwordFile + ".yaml"),
        String.join(
            "\n",
            "kafka:",
            "  bootstrap_servers: " + bootstrap,
            "  security_protocol: SASL_SSL",
            "  sasl_mechanism: SCRAM-SHA-512",
            "  username: janus",
            "  password_file: " + pw,
            "  properties:",
            "    ssl.truststore.type: PEM",
            "    ssl.truststore.location: " + tls.ca(),
            ""));
  }

  /** The settings of a client of the broker, as {@code user}. */
  static Map<String, Object> client(
      String bootstrap, TestCertificates tls, String user, String password) {
    return Map.of(
        "bootstrap.servers",
        bootstrap,
        "security.protocol",
        "SASL_SSL",
        "sasl.mechanism",
        "SCRAM-SHA-512",
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";",
        "ssl.truststore.type",
        "PEM",
        "ssl.truststore.location",
        tls.ca().toString(),
        "linger.ms",
        "20");
  }

  /**
   * Formats a KRaft storage with the two SCRAM users and starts {@code kafka.Kafka} on it: a {@code
   * SASL_SSL} listener for clients and brokers, a controller listener on loopback.
   */
  void startBroker(TestCertificates tls, int port, String adminPassword, String janusPassword)
      throws Exception {
    int controller = freePort();
    Path logs = Files.createDirectories(dir.resolve("kafka-logs"));
    Path props =
        Files.writeString(
            dir.resolve("server.properties"),
            String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=SASL_SSL://localhost:" + port,
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=SASL_SSL",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                    + "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"admin\" password=\""
                    + adminPassword
                    + "\";",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + tls.keyStore(),
                "ssl.keystore.password=" + tls.storePassword(),
                // The broker is a client of its own listener too.
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + tls.ca(),
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                // The broker reaches its own controller on the loopback controller listener.
                "super.users=User:admin;User:ANONYMOUS",
                "allow.everyone.if.no.acl.found=false",
                "log.dirs=" + logs,
                "num.partitions=2",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
    Files.setPosixFilePermissions(props, PosixFilePermissions.fromString("rw-------"));
    Path log = dir.resolve("broker.log");
    Process format =
        kafkaJvm(
                log,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                props.toString(),
                "--add-scram",
                "SCRAM-SHA-512=[name=admin,password=" + adminPassword + "]",
                "--add-scram",
                "SCRAM-SHA-512=[name=janus,password=" + janusPassword + "]")
            .start();
    assertThat(format.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(format.exitValue()).as(Files.readString(log)).isZero();
    broker = kafkaJvm(log, "kafka.Kafka", props.toString()).start();
    long deadline = System.currentTimeMillis() + 120_000;
    while (true) {
      try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException notYet) {
        assertThat(broker.isAlive()).as(Files.readString(log)).isTrue();
        assertThat(System.currentTimeMillis()).as(Files.readString(log)).isLessThan(deadline);
        Thread.sleep(200);
      }
    }
  }

  /** A JVM of the test's class path (Kafka's server is on it) running {@code main}. */
  static ProcessBuilder kafkaJvm(Path log, String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  /**
   * The topic, and the ACLs of {@code janus}: read the topic, read with its consumer group; the
   * broker is up when the admin's first request is answered.
   */
  void createTopicAndAcls(Map<String, Object> settings) throws Exception {
    Properties p = new Properties();
    p.putAll(settings);
    p.put("default.api.timeout.ms", "120000");
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(
              List.of(new NewTopic(TOPIC, 2, (short) 1), new NewTopic(OTHER_TOPIC, 1, (short) 1)))
          .all()
          .get(2, TimeUnit.MINUTES);
      AccessControlEntry read =
          new AccessControlEntry("User:janus", "*", AclOperation.READ, AclPermissionType.ALLOW);
      admin
          .createAcls(
              List.of(
                  new AclBinding(
                      new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL), read),
                  new AclBinding(
                      new ResourcePattern(ResourceType.GROUP, GROUP, PatternType.LITERAL), read)))
          .all()
          .get(1, TimeUnit.MINUTES);
    }
  }
}
