package io.janus.local.bench;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.jobs.Failures.CliException;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.janus.jobs.cli.RedisOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench cluster-writes}: the guarded writes of the sink on a Redis Cluster, two ways
 * of keeping the keys of one script call in one slot. Janus's way: keys as they are ({@code
 * group:entity}, spread over every master), each batch split by slot before the script calls. The
 * baseline: every key of the group under one hash tag ({@code {group}:entity}), so a call takes 50
 * keys at once, but the whole group lives in one slot of one master.
 */
@Command(
    name = "cluster-writes",
    description =
        "Guarded writes on a Redis Cluster: batches split per slot vs one hash tag per group.")
public final class ClusterWritesBench implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(
      names = "--rows",
      defaultValue = "200000",
      description =
          "Rows written each way, over a quarter as many keys (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--json", description = "Print the figures as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    try (RedisOptions.Server server = redis.open(common.config())) {
      if (!RedisOnlineStore.isCluster(server.uri()))
        throw new CliException(
            "--redis " + server + ": bench cluster-writes needs a redis-cluster:// URI");
      String stamp = "bench_" + System.currentTimeMillis() / 1000;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rows", rows);
      try (RedisOnlineStore store = new RedisOnlineStore(server.uri())) {
        // Warm-up of both, then each measured once, per slot first.
        write(store, stamp + "_warm", Math.min(rows, 50_000));
        write(store, "{" + stamp + "_warm}", Math.min(rows, 50_000));
        double perSlot = write(store, stamp, rows);
        double tagged = write(store, "{" + stamp + "}", rows);
        m.put("per_slot_rows_per_second", Math.round(perSlot));
        m.put("one_hash_tag_rows_per_second", Math.round(tagged));
        m.put("ratio", Math.round(perSlot / tagged * 100) / 100.0);
      }
      if (json) {
        System.out.println(Json.line(m));
      } else {
        System.out.printf("cluster-writes bench: %,d rows each way on %s%n", rows, server);
        System.out.printf(
            "  batches split per slot (keys on every master)   %,10d rows/s%n",
            m.get("per_slot_rows_per_second"));
        System.out.printf(
            "  one hash tag per group (one slot, one master)   %,10d rows/s%n",
            m.get("one_hash_tag_rows_per_second"));
        System.out.printf(
            "  ratio                                           %10.2f%n", m.get("ratio"));
      }
      return 0;
    }
  }

  /** Rows/s of guarded writes of {@code n} rows of {@code group}; the keys expire in 10 min. */
  private static double write(RedisOnlineStore store, String group, int n) {
    long expireAt = System.currentTimeMillis() + 600_000;
    List<OnlineRow> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, String> values = new LinkedHashMap<>();
      for (int f = 0; f < 6; f++) values.put("feature_" + f, Integer.toString((i + f) % 97));
      batch.add(new OnlineRow(group, "k" + (i % Math.max(1, n / 4)), i, "v1", expireAt, values));
    }
    long t0 = System.nanoTime();
    StreamBench.runGuarded(store, batch);
    return n / ((System.nanoTime() - t0) / 1e9);
  }
}
