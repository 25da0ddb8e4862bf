package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.embedded.EmbeddedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drills of issue 14 on secrets and the embedded Redis: a Redis password from a file or the
 * environment never shows in {@code ps} or the logs; the embedded server requires a generated
 * password, and one left running by a command killed with SIGKILL is stopped by the next, its data
 * intact.
 */
class SecretsITCase {
  @TempDir Path dir;

  /** The command lines of every process of this machine that mention {@code text}. */
  static List<String> processesMentioning(String text) {
    return ProcessHandle.allProcesses()
        .map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains(text))
        .toList();
  }

  @Test
  void aPasswordFromAFileOrTheEnvironmentStaysOutOfPsAndLogs() throws Exception {
    Path events = dir.resolve("events.jsonl");
    assertThat(
            StreamRestartITCase.janus(
                    "generate",
                    "--events",
                    "200000",
                    "--out",
                    events.toString(),
                    "--days",
                    "2",
                    "--start",
                    java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString(),
                    "--until",
                    "now",
                    "--workdir",
                    dir.resolve("gen").toString())
                .code())
        .isZero();
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      String password = redis.password();
      Path pwFile = Files.writeString(dir.resolve("redis-password"), password + "\n");
      String bare = "redis://127.0.0.1:" + redis.port();
      for (String how : List.of("file", "environment")) {
        Path log = dir.resolve(how + ".log");
        Path workdir = dir.resolve("wd-" + how);
        List<String> args =
            how.equals("file")
                ? List.of(
                    "stream",
                    "--group",
                    "user_activity",
                    "--source",
                    "file:" + events,
                    "--workdir",
                    workdir.toString(),
                    "--redis",
                    bare,
                    "--redis-password-file",
                    pwFile.toString())
                : List.of(
                    "stream",
                    "--group",
                    "user_activity",
                    "--source",
                    "file:" + events,
                    "--workdir",
                    workdir.toString());
        Process p =
            StreamRestartITCase.janusProcess(
                log,
                how.equals("file") ? Map.of() : Map.of("JANUS_REDIS_URI", redis.uri()),
                args.toArray(String[]::new));
        boolean seenRunning = false;
        while (p.isAlive()) {
          List<String> ours = processesMentioning(workdir.toString());
          if (!ours.isEmpty()) seenRunning = true;
          assertThat(String.join("\n", ours)).doesNotContain(password);
          assertThat(processesMentioning(password)).isEmpty();
          Thread.sleep(200);
        }
        assertThat(seenRunning).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("streamed ").doesNotContain(password);
        try (RedisClient client = RedisClient.create(redis.uri());
            StatefulRedisConnection<String, String> c = client.connect()) {
          assertThat(c.sync().dbsize()).as("keys written").isPositive();
          c.sync().flushall();
        }
      }
    }
  }

  @Test
  void anEmbeddedRedisLeftByAKilledCommandIsStoppedByTheNextWithItsDataIntact() throws Exception {
    Path workdir = dir.resolve("wd");
    Path log = dir.resolve("serve.log");
    Process serve =
        StreamRestartITCase.janusProcess(
            log,
            Map.of(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--workdir",
            workdir.toString());
    Path redisDir = workdir.resolve("redis");
    long pid = -1;
    try {
      Pattern serving = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+);");
      int port = -1;
      long deadline = System.currentTimeMillis() + 120_000;
      while (port < 0 && System.currentTimeMillis() < deadline) {
        Matcher m = serving.matcher(Files.readString(log));
        if (m.find()) port = Integer.parseInt(m.group(1));
        else Thread.sleep(200);
      }
      assertThat(port).as(Files.readString(log)).isPositive();
      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);

      // The generated password, readable by its owner only, is required.
      Path pwFile = redisDir.resolve("password");
      assertThat(Files.getPosixFilePermissions(pwFile))
          .containsExactlyInAnyOrder(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      String password = Files.readString(pwFile).strip();
      assertThat(password).hasSize(64);
      pid = Long.parseLong(Files.readString(redisDir.resolve("redis.pid")).strip());
      int redisPort = listeningPort(pid);
      try (RedisClient anonymous = RedisClient.create("redis://127.0.0.1:" + redisPort)) {
        org.assertj.core.api.Assertions.assertThatThrownBy(anonymous::connect)
            .hasStackTraceContaining("NOAUTH");
      }
      try (RedisClient client =
              RedisClient.create("redis://:" + password + "@127.0.0.1:" + redisPort);
          StatefulRedisConnection<String, String> c = client.connect()) {
        c.sync().set("kept", "across the kill");
      }
      Thread.sleep(1500); // appendfsync everysec
    } catch (Throwable t) {
      // The drill did not get as far as the next command: stop the server it leaves behind.
      serve.destroyForcibly();
      serve.waitFor(30, TimeUnit.SECONDS);
      if (pid > 0) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      throw t;
    }
    serve.destroyForcibly(); // SIGKILL: the JVM cannot stop its redis-server
    assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("left running").hasValue(true);

    // The next command on the workdir stops the leftover before starting its own server.
    try (EmbeddedRedis next = EmbeddedRedis.start(redisDir)) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      long nextPid = Long.parseLong(Files.readString(redisDir.resolve("redis.pid")).strip());
      assertThat(nextPid).isNotEqualTo(pid);
      try (RedisClient client = RedisClient.create(next.uri());
          StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(c.sync().get("kept")).isEqualTo("across the kill");
      }
    }
  }

  /** The TCP port process {@code pid} listens on (from /proc/net/tcp and its socket inodes). */
  static int listeningPort(long pid) throws Exception {
    java.util.Set<String> inodes = new java.util.HashSet<>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        String target = Files.readSymbolicLink(fd).toString();
        if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9]))
        return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
    }
    throw new AssertionError("redis-server " + pid + " listens on no TCP port");
  }
}
