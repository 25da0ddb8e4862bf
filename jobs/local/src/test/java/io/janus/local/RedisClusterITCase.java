package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.janus.jobs.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: the online store on a real Redis Cluster (three masters, three replicas of Debian's
 * redis-server 7, with a password; see {@link RedisClusterServers}): the stream's guarded writes
 * (script calls whose keys share a slot), sync, parity (the scan source reads every master) and
 * reads, through the command line with a {@code redis-cluster://} URI.
 */
class RedisClusterITCase {
  @TempDir Path dir;

  static CliRun janus(String... args) {
    return StreamRestartITCase.janus(args);
  }

  static Path redisServer() throws Exception {
    Path bin = RedisTlsAclITCase.redis7();
    if (bin == null) {
      // .ci/run installs redis-server and sets JANUS_REQUIRE_REDIS7: there the test must run.
      assertThat(System.getenv("JANUS_REQUIRE_REDIS7")).as("redis-server 7 installed").isNull();
      Assumptions.abort("Debian's redis-server 7 is not installed (apt-get install redis-server)");
    }
    return bin;
  }

  @Test
  void theStoryRunsOnARedisClusterWithKeysOnEveryMaster() throws Exception {
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    try (RedisClusterServers cluster =
        RedisClusterServers.start(dir.resolve("cluster"), redisServer(), password)) {
      Path pw = Files.writeString(dir.resolve("redis-password"), password + "\n");
      Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
      List<String> redis =
          List.of("--redis", cluster.uri(), "--redis-password-file", pw.toString());
      Path workdir = dir.resolve("wd");
      Path events = StreamRestartITCase.generateToday(workdir, dir.resolve("today.jsonl"), 20_000);

      JsonNode stream =
          json(
              "stream",
              List.of("--group", "user_activity", "--source", "file:" + events, "--json"),
              redis,
              workdir);
      assertThat(stream.get("events").asLong()).isPositive();
      Map<Integer, Long> keys = cluster.keysPerMaster();
      assertThat(keys).as("keys per master").hasSize(3);
      assertThat(keys.values()).allMatch(n -> n > 100);

      StreamRestartITCase.backfill(
          io.janus.engine.core.definition.DefinitionLoader.load(null).group("user_activity"),
          workdir,
          null);
      JsonNode sync = json("sync", List.of("--group", "user_activity", "--json"), redis, workdir);
      assertThat(sync.get("skipped_by_guard").asLong()).isZero();
      JsonNode parity =
          json("parity", List.of("--group", "user_activity", "--json"), redis, workdir);
      assertThat(parity.get("passed").asBoolean()).as(parity.toString()).isTrue();
      assertThat(parity.get("matched").asLong())
          .isEqualTo(parity.get("checked").asLong())
          .isGreaterThan(keys.values().stream().mapToLong(Long::longValue).sum() / 2);

      String user = RedisTlsAclITCase.firstUser(events);
      List<String> get = new ArrayList<>(List.of("online", "get", "--group", "user_activity"));
      get.addAll(List.of("--key", user, "--workdir", workdir.toString()));
      get.addAll(redis);
      CliRun read = janus(get.toArray(String[]::new));
      assertThat(read.code()).as(read.err()).isZero();
      assertThat(read.out()).contains("user_views_24h").doesNotContain(password);

      // The bench of the two ways to keep a script call's keys in one slot runs here too.
      List<String> bench =
          new ArrayList<>(List.of("bench", "cluster-writes", "--rows", "20000", "--json"));
      bench.addAll(List.of("--workdir", workdir.toString()));
      bench.addAll(redis);
      CliRun b = janus(bench.toArray(String[]::new));
      assertThat(b.code()).as(b.err()).isZero();
      JsonNode figures = StreamRestartITCase.json(b);
      assertThat(figures.get("per_slot_rows_per_second").asLong()).isPositive();
      assertThat(figures.get("one_hash_tag_rows_per_second").asLong()).isPositive();
    }
  }

  /**
   * Drill: a master is killed with SIGKILL while a stream writes; its replica takes over, the job
   * carries on, and every online value is the batch's (parity before any sync, which would repair a
   * lost write and hide it).
   */
  @Test
  void aMasterKilledMidStreamIsReplacedByItsReplicaAndNothingIsLost() throws Exception {
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    try (RedisClusterServers cluster =
        RedisClusterServers.start(dir.resolve("cluster"), redisServer(), password)) {
      Path pw = Files.writeString(dir.resolve("redis-password"), password + "\n");
      List<String> redis =
          List.of("--redis", cluster.uri(), "--redis-password-file", pw.toString());
      Path workdir = dir.resolve("wd");
      Path events = StreamRestartITCase.generateToday(workdir, dir.resolve("today.jsonl"), 800_000);

      List<String> args =
          new ArrayList<>(
              List.of(
                  "stream",
                  "--group",
                  "user_activity",
                  "--source",
                  "file:" + events,
                  "--checkpoint-interval",
                  "1s",
                  "--json",
                  "--workdir",
                  workdir.toString()));
      args.addAll(redis);
      Path log = dir.resolve("stream.log");
      Process stream = StreamRestartITCase.janusProcess(log, args.toArray(String[]::new));
      int victim;
      try {
        // Kill a master once every master holds keys and a checkpoint is complete.
        Path checkpoints = workdir.resolve("checkpoints").resolve("user_activity");
        long deadline = System.currentTimeMillis() + 180_000;
        while (StreamRestartITCase.newestCheckpoint(checkpoints) < 1
            || cluster.keysPerMaster().values().stream().anyMatch(n -> n < 1000)) {
          assertThat(stream.isAlive()).as(Files.readString(log)).isTrue();
          assertThat(System.currentTimeMillis()).as(Files.readString(log)).isLessThan(deadline);
          Thread.sleep(100);
        }
        victim = cluster.masters().get(0);
        cluster.kill(victim);
        assertThat(stream.isAlive()).as("still streaming when the master died").isTrue();
        cluster.awaitOk(60_000);
        assertThat(stream.waitFor(5, java.util.concurrent.TimeUnit.MINUTES))
            .as(Files.readString(log))
            .isTrue();
      } finally {
        stream.destroyForcibly();
        // Kept for a failure's diagnosis (how the job rode through the failover): the temp dir
        // goes.
        Files.copy(
            log,
            Path.of("target", "RedisClusterITCase-stream.log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      // The stream wrote every row due by its end; later ones wait for a sync. So parity is
      // judged as of then (as StreamRestartITCase does): a minute boundary passing during the
      // backfill must not count the rows due at it as stale.
      long ended = System.currentTimeMillis() - 3_000;
      assertThat(stream.exitValue()).as(Files.readString(log)).isZero();
      assertThat(cluster.masters()).doesNotContain(victim).hasSize(3);

      var group =
          io.janus.engine.core.definition.DefinitionLoader.load(null).group("user_activity");
      StreamRestartITCase.backfill(group, workdir, null);
      io.janus.engine.flink.parity.ParityReport parity =
          io.janus.engine.flink.parity.ParityCheck.of(
                  io.janus.engine.iceberg.Warehouse.local(workdir.resolve("warehouse")),
                  group,
                  io.janus.engine.online.redis.RedisOnlineStore.factory(
                      cluster.uri().replace("://", "://:" + password + "@")))
              .withNow(ended)
              .run(
                  org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                      .getExecutionEnvironment());
      assertThat(parity.passed()).as(parity.summary()).isTrue();
      assertThat(parity.count(io.janus.engine.flink.parity.KeyCheck.Status.MATCHED))
          .isEqualTo(parity.checked())
          .isPositive();
    }
  }

  /**
   * A batch of guarded writes completes only once a replica of every master it wrote to holds it
   * (WAIT), so a failover cannot lose a write the stream already counts as done; a replica that
   * stops answering (SIGSTOP) delays its master's batches by the wait's bound but does not stop
   * them.
   */
  @Test
  void aBatchCompletesOnceAReplicaHoldsItAndAStoppedReplicaOnlyDelaysIt() throws Exception {
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    try (RedisClusterServers cluster =
        RedisClusterServers.start(dir.resolve("cluster"), redisServer(), password)) {
      String uri = cluster.uri().replace("redis-cluster://", "redis-cluster://:" + password + "@");
      try (var store = io.janus.engine.online.redis.RedisOnlineStore.factory(uri).open()) {
        long before = System.nanoTime();
        assertThat(store.multiPut(rows("a", 600)).get(30, java.util.concurrent.TimeUnit.SECONDS))
            .hasSize(600)
            .allMatch(landed -> landed);
        long healthyMs = (System.nanoTime() - before) / 1_000_000;
        for (int master : cluster.masters()) {
          assertThat(cluster.cli(cluster.replicaOf(master), "dbsize"))
              .as("the replica of %d holds what its master acknowledged", master)
              .isEqualTo(cluster.cli(master, "dbsize"));
        }

        int master = cluster.masters().get(0);
        int replica = cluster.replicaOf(master);
        cluster.signal(replica, "STOP");
        try {
          before = System.nanoTime();
          assertThat(store.multiPut(rows("b", 600)).get(30, java.util.concurrent.TimeUnit.SECONDS))
              .hasSize(600)
              .allMatch(landed -> landed);
          long stalledMs = (System.nanoTime() - before) / 1_000_000;
          assertThat(stalledMs)
              .as("waited for the stopped replica (healthy batch: %d ms)", healthyMs)
              .isBetween(450L, 10_000L);
        } finally {
          cluster.signal(replica, "CONT");
        }
        assertThat(cluster.keysPerMaster().values().stream().mapToLong(Long::longValue).sum())
            .isEqualTo(1200);
      }
    }
  }

  private static List<io.janus.engine.online.OnlineRow> rows(String prefix, int n) {
    List<io.janus.engine.online.OnlineRow> rows = new ArrayList<>();
    for (int i = 0; i < n; i++)
      rows.add(
          new io.janus.engine.online.OnlineRow(
              "wait_test", prefix + i, 1_000 + i, "v1", 0, Map.of("x", "" + i)));
    return rows;
  }

  static JsonNode json(String command, List<String> args, List<String> redis, Path workdir)
      throws Exception {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(args);
    all.addAll(redis);
    all.addAll(List.of("--workdir", workdir.toString()));
    CliRun r = janus(all.toArray(String[]::new));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    return StreamRestartITCase.json(r);
  }
}
