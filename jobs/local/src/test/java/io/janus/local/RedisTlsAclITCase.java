package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: the online store over TLS with an ACL user, against a real server (Debian's
 * redis-server 7, built with TLS; {@code .ci/run} installs it): a certificate authority and a
 * server certificate made with openssl, the server with TLS only (no plaintext port), the default
 * user off and a user {@code janus} allowed only the feature commands. {@code stream}, {@code
 * sync}, {@code parity} and {@code online get} run in JVMs of their own, as bin/janus runs them,
 * with the CA in a trust store given the Java way ({@code javax.net.ssl.trustStore}) and the
 * password in a file; a wrong password is refused with a one-line error that does not print it.
 */
class RedisTlsAclITCase {
  @TempDir Path dir;

  /** Debian's redis-server when it is version 7 or later, else null. */
  static Path redis7() throws Exception {
    Path bin = Path.of("/usr/bin/redis-server");
    if (!Files.isExecutable(bin)) return null;
    Process p = new ProcessBuilder(bin.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("v=(\\d+)\\.").matcher(out);
    return m.find() && Integer.parseInt(m.group(1)) >= 7 ? bin : null;
  }

  @Test
  void theStoryRunsOverTlsAsAnAclUserAndAWrongPasswordIsRefused() throws Exception {
    Path redisServer = redis7();
    if (redisServer == null) {
      // .ci/run installs redis-server and sets JANUS_REQUIRE_REDIS7: there the test must run.
      assertThat(System.getenv("JANUS_REQUIRE_REDIS7")).as("redis-server 7 installed").isNull();
      Assumptions.abort("Debian's redis-server 7 is not installed (apt-get install redis-server)");
    }
    TestCertificates tls = TestCertificates.make(dir.resolve("tls"));
    Path trustStore = tls.trustStore();
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // The ACL of docs/operations.md: the feature keys' commands, scripts, SCAN; nothing of
    // @admin or @dangerous (CONFIG GET, which the eviction check tries, is refused and skipped).
    Path conf =
        Files.writeString(
            dir.resolve("redis.conf"),
            String.join(
                "\n",
                "port 0",
                "bind 127.0.0.1",
                "tls-port " + port,
                "tls-cert-file " + tls.certificate(),
                "tls-key-file " + tls.key(),
                "tls-ca-cert-file " + tls.ca(),
                "tls-auth-clients no",
                "dir " + dir,
                "save \"\"",
                "user default off",
                "user janus on >"
                    + password
                    + " ~* -@all +@read +@write +@scripting +@connection"
                    + " +@keyspace +time -@admin -@dangerous",
                ""));
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
    Process server =
        new ProcessBuilder(redisServer.toString(), conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      while (true) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
          break;
        } catch (java.io.IOException notYet) {
          assertThat(server.isAlive()).as(Files.readString(dir.resolve("redis.log"))).isTrue();
          assertThat(System.currentTimeMillis()).isLessThan(deadline);
          Thread.sleep(100);
        }
      }
      story(port, password, trustStore, tls.storePassword());
    } finally {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly();
    }
  }

  void story(int port, String password, Path trustStore, String storePassword) throws Exception {
    Path pwFile = Files.writeString(dir.resolve("redis-password"), password + "\n");
    Files.setPosixFilePermissions(pwFile, PosixFilePermissions.fromString("rw-------"));
    Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-" + password + "\n");
    Map<String, String> env =
        Map.of(
            "JANUS_REDIS_URI",
            "rediss://janus@localhost:" + port,
            "JAVA_TOOL_OPTIONS",
            "-Djavax.net.ssl.trustStore="
                + trustStore
                + " -Djavax.net.ssl.trustStorePassword="
                + storePassword);
    Path workdir = dir.resolve("wd");
    Path events = dir.resolve("today.jsonl");
    StreamRestartITCase.generateToday(workdir, events, 5000);

    JsonNode stream =
        last(
            env,
            "stream",
            "--group",
            "user_activity",
            "--source",
            "file:" + events,
            "--json",
            "--redis-password-file",
            pwFile.toString(),
            "--workdir",
            workdir.toString());
    assertThat(stream.get("events").asLong()).isPositive();
    StreamRestartITCase.backfill(
        io.janus.engine.core.definition.DefinitionLoader.load(null).group("user_activity"),
        workdir,
        null);
    JsonNode sync =
        last(
            env,
            "sync",
            "--group",
            "user_activity",
            "--json",
            "--redis-password-file",
            pwFile.toString(),
            "--workdir",
            workdir.toString());
    assertThat(sync.get("skipped_by_guard").asLong()).isZero();
    JsonNode parity =
        last(
            env,
            "parity",
            "--group",
            "user_activity",
            "--json",
            "--redis-password-file",
            pwFile.toString(),
            "--workdir",
            workdir.toString());
    assertThat(parity.get("passed").asBoolean()).as(parity.toString()).isTrue();
    assertThat(parity.get("matched").asLong())
        .isEqualTo(parity.get("checked").asLong())
        .isPositive();

    String user = firstUser(events);
    Out get =
        janus(
            env,
            "online",
            "get",
            "--group",
            "user_activity",
            "--key",
            user,
            "--redis-password-file",
            pwFile.toString(),
            "--workdir",
            workdir.toString());
    assertThat(get.code).as(get.text).isZero();
    assertThat(get.text).contains("user_views_24h").doesNotContain(password);

    Out refused =
        janus(
            env,
            "online",
            "get",
            "--group",
            "user_activity",
            "--key",
            user,
            "--redis-password-file",
            wrong.toString(),
            "--workdir",
            workdir.toString());
    assertThat(refused.code).as(refused.text).isNotZero();
    List<String> errors = refused.text.lines().filter(l -> l.startsWith("janus")).toList();
    assertThat(errors).as(refused.text).hasSize(1);
    assertThat(errors.get(0)).containsIgnoringCase("WRONGPASS");
    assertThat(refused.text).doesNotContain(password);
  }

  record Out(int code, String text) {}

  Out janus(Map<String, String> env, String... args) throws Exception {
    Path log = Files.createTempFile(dir, "janus-", ".log");
    Process p = StreamRestartITCase.janusProcess(log, env, args);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as(args[0]).isTrue();
    return new Out(p.exitValue(), Files.readString(log));
  }

  JsonNode last(Map<String, String> env, String... args) throws Exception {
    Out o = janus(env, args);
    assertThat(o.code).as(o.text).isZero();
    List<String> lines = new ArrayList<>(o.text.lines().filter(l -> l.startsWith("{")).toList());
    assertThat(lines).as(o.text).isNotEmpty();
    return EveryEventITCase.JSON.readTree(lines.get(lines.size() - 1));
  }

  static String firstUser(Path events) throws Exception {
    for (String line : Files.readAllLines(events)) {
      try {
        return EveryEventITCase.JSON.readTree(line).get("user_id").asText();
      } catch (Exception malformed) {
        // next line
      }
    }
    throw new IllegalStateException("no event in " + events);
  }
}
