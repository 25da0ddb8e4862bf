package io.janus.local.bench;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.parity.ParityCheck;
import io.janus.engine.flink.parity.ParityReport;
import io.janus.engine.flink.sync.OnlineSync;
import io.janus.engine.flink.sync.SyncResult;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.changes.SyncMarker;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.janus.jobs.cli.RedisOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench sync} and {@code janus bench parity}: keys per second of the reconcile jobs on
 * a synthetic feature table ({@code --keys} entities, two rows each) against a real Redis (embedded
 * under the bench directory unless {@code --redis} is given). With a catalog configured ({@code
 * --config}), sync and parity run on it too, next to the embedded catalog, in the same run.
 */
abstract class ReconcileBench implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(
      names = "--keys",
      defaultValue = "1000000",
      description = "Entities in the synthetic table (default: ${DEFAULT-VALUE}).")
  long keys;

  @Option(
      names = "--group",
      defaultValue = "user_activity",
      description = "Group whose columns the table has (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--json", description = "Print the figures as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    // A name of its own, so a shared Redis (--redis) never mixes bench keys with real ones.
    String stamp = group + "_bench_" + System.currentTimeMillis() / 1000;
    Path dir =
        Files.createDirectories(common.config().workdir().resolve("bench"))
            .resolve(name() + "-" + System.currentTimeMillis());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", stamp);
    m.put("keys", keys);
    m.put("parallelism", common.env().getParallelism());
    try (RedisOptions.Server server = redis.open(dir)) {
      measureOn(
          Warehouse.local(dir.resolve("warehouse")), common.group(group).renamed(stamp), server, m);
      if (comparesCatalogs() && !common.config().catalog().isEmpty()) {
        // The configured catalog (REST, JDBC, … on object storage), in the same run and against
        // the same Redis, its bench table dropped (with its files) afterwards; then the embedded
        // catalog once more, so that the two compared runs are both warm (the first run of a JVM
        // is slower: JIT, caches).
        FeatureGroup g = common.group(group).renamed(stamp + "_c");
        Warehouse shared = common.warehouse();
        Map<String, Object> c = new LinkedHashMap<>();
        try {
          measureOn(shared, g, server, c);
        } finally {
          ConfiguredCatalog.drop(shared, FeatureTables.id(g));
        }
        Map<String, Object> again = new LinkedHashMap<>();
        measureOn(
            Warehouse.local(dir.resolve("warehouse")),
            common.group(group).renamed(stamp + "_e"),
            server,
            again);
        m.put("configured_catalog", ConfiguredCatalog.describe(common.config().catalog()));
        c.forEach((k, v) -> m.put("configured_" + k, v));
        again.forEach((k, v) -> m.put("embedded_again_" + k, v));
        c.forEach(
            (k, v) -> {
              if (k.endsWith("_per_second")
                  && again.get(k) instanceof Number e
                  && e.doubleValue() > 0)
                m.put(
                    "configured_vs_embedded_" + k,
                    Math.round(((Number) v).doubleValue() / e.doubleValue() * 100) / 100.0);
            });
      }
    }
    if (json) {
      System.out.println(Json.line(m));
    } else {
      System.out.printf(
          "%s bench: %s, %,d keys (%,d rows written in %.1f s), parallelism %d%n",
          name(), stamp, keys, 2 * keys, m.get("table_write_seconds"), m.get("parallelism"));
      m.forEach(
          (k, v) -> {
            if (k.equals("group")
                || k.equals("keys")
                || k.equals("parallelism")
                || k.startsWith("table_")) return;
            String text =
                v instanceof Double d
                    ? String.format("%.2f", d)
                    : v instanceof Long l ? String.format("%,d", l) : String.valueOf(v);
            System.out.printf("  %-52s %14s%n", k, text);
          });
    }
    return 0;
  }

  abstract String name();

  /** Whether the bench also runs on the configured catalog, next to the embedded one. */
  boolean comparesCatalogs() {
    return true;
  }

  /** Writes the synthetic table of {@code g} into {@code warehouse} and measures into {@code m}. */
  private void measureOn(
      Warehouse warehouse, FeatureGroup g, RedisOptions.Server server, Map<String, Object> m)
      throws Exception {
    FeatureTableFixture table = new FeatureTableFixture(warehouse, g, keys);
    long t0 = System.nanoTime();
    table.writeAll(common.env().getParallelism());
    m.put("table_rows", 2 * keys);
    m.put("table_write_seconds", seconds(t0));
    try {
      measure(g, warehouse, server.uri(), table, m);
    } finally {
      if (!server.isEmbedded()) removeKeys(server.uri(), g.name());
    }
  }

  /** Removes the bench group's keys and marker from a shared Redis. */
  private static void removeKeys(String uri, String group) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri);
    try (var c = client.connect()) {
      io.lettuce.core.ScanArgs args =
          io.lettuce.core.ScanArgs.Builder.matches(
                  io.janus.engine.online.redis.RedisOnlineStore.matchPattern(group))
              .limit(5000);
      io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
      do {
        io.lettuce.core.KeyScanCursor<String> page = c.sync().scan(cursor, args);
        if (!page.getKeys().isEmpty()) c.sync().unlink(page.getKeys().toArray(String[]::new));
        cursor = page;
      } while (!cursor.isFinished());
      c.sync()
          .unlink(
              SyncMarker.storeKey(
                  io.janus.engine.iceberg.FeatureTables.NAMESPACE
                      + "."
                      + group)); // as OnlineSync names it
    } finally {
      client.shutdown();
    }
  }

  /**
   * Rows/s of the guarded writes a full sync of {@code table} makes (every key's latest row: same
   * values, same expiry), by {@link RedisOnlineStore} alone in the sink's batches (500 rows, 8 in
   * flight), as new keys of a group of their own removed afterwards.
   */
  static double guardedWriteBaseline(String uri, FeatureGroup g, FeatureTableFixture table)
      throws Exception {
    FeatureGroup as = g.renamed(g.name() + "_baseline");
    java.util.List<io.janus.engine.online.OnlineRow> rows = table.latestOnline(as);
    try (RedisOnlineStore store = new RedisOnlineStore(uri)) {
      long t0 = System.nanoTime();
      StreamBench.runGuarded(store, rows);
      return rows.size() / ((System.nanoTime() - t0) / 1e9);
    } finally {
      removeKeys(uri, as.name());
    }
  }

  /** Keys/s of reading every key of {@code group}: SCAN pages of 1,000, HGETALL pipelined. */
  static double scanBaseline(String uri, String group) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri);
    try (var c = client.connect()) {
      var async = c.async();
      io.lettuce.core.ScanArgs args =
          io.lettuce.core.ScanArgs.Builder.matches(RedisOnlineStore.matchPattern(group))
              .limit(1000);
      long n = 0;
      long t0 = System.nanoTime();
      io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
      do {
        io.lettuce.core.KeyScanCursor<String> page = c.sync().scan(cursor, args);
        java.util.List<io.lettuce.core.RedisFuture<Map<String, String>>> reads =
            new java.util.ArrayList<>(page.getKeys().size());
        c.setAutoFlushCommands(false);
        for (String k : page.getKeys()) reads.add(async.hgetall(k));
        c.flushCommands();
        c.setAutoFlushCommands(true);
        for (var f : reads) if (!f.toCompletableFuture().join().isEmpty()) n++;
        cursor = page;
      } while (!cursor.isFinished());
      return n / ((System.nanoTime() - t0) / 1e9);
    } finally {
      client.shutdown();
    }
  }

  abstract void measure(
      FeatureGroup g,
      Warehouse warehouse,
      String uri,
      FeatureTableFixture table,
      Map<String, Object> m)
      throws Exception;

  static double seconds(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
  }

  /**
   * Full load, then an overwrite of today's partition with every tenth key changed, then a sync
   * with nothing new.
   */
  @Command(
      name = "sync",
      description =
          "Online sync keys/s: a full load of --keys keys, an incremental sync after an overwrite, a sync with nothing new.")
  static final class Sync extends ReconcileBench {
    @Option(
        names = "--change-every",
        defaultValue = "10",
        description = "Every n-th key changes in the rewritten day (default: ${DEFAULT-VALUE}).")
    int changeEvery;

    @Override
    String name() {
      return "sync";
    }

    @Override
    void measure(
        FeatureGroup g,
        Warehouse warehouse,
        String uri,
        FeatureTableFixture table,
        Map<String, Object> m)
        throws Exception {
      SyncResult full =
          OnlineSync.of(warehouse, g, RedisOnlineStore.factory(uri)).run(common.env());
      m.put("full_seconds", full.millis() / 1000.0);
      m.put("full_keys_written", full.keysWritten());
      double fullRate = full.keysWritten() / (full.millis() / 1000.0);
      m.put("full_keys_per_second", Math.round(fullRate));
      // The baseline: the same writes by RedisOnlineStore alone (no Flink, no Iceberg), in the
      // sink's batches, to the same Redis.
      double baseline = guardedWriteBaseline(uri, g, table);
      m.put("guarded_write_baseline_per_second", Math.round(baseline));
      m.put("ratio", Math.round(fullRate / baseline * 1000) / 1000.0);

      table.rewriteToday(common.env().getParallelism(), changeEvery);
      SyncResult inc = OnlineSync.of(warehouse, g, RedisOnlineStore.factory(uri)).run(common.env());
      long examined = inc.keysWritten() + inc.keysUnchanged() + inc.skippedByGuard();
      m.put("incremental_mode", inc.plan().mode().name().toLowerCase());
      m.put("incremental_seconds", inc.millis() / 1000.0);
      m.put("incremental_rows_read", inc.rowsRead());
      m.put("incremental_keys_examined", examined);
      m.put("incremental_keys_written", inc.keysWritten());
      m.put("incremental_keys_per_second", Math.round(examined / (inc.millis() / 1000.0)));

      SyncResult none =
          OnlineSync.of(warehouse, g, RedisOnlineStore.factory(uri)).run(common.env());
      m.put("nothing_new_seconds", none.millis() / 1000.0);
    }
  }

  /** Parity of every key after a full sync, then of a sample. */
  @Command(
      name = "parity",
      description =
          "Parity check keys/s over --keys keys (every key), and the time of a sampled check.")
  static final class Parity extends ReconcileBench {
    @Option(
        names = "--sample",
        defaultValue = "10000",
        description = "Size of the sampled check (default: ${DEFAULT-VALUE}).")
    int sample;

    @Override
    String name() {
      return "parity";
    }

    @Override
    void measure(
        FeatureGroup g,
        Warehouse warehouse,
        String uri,
        FeatureTableFixture table,
        Map<String, Object> m)
        throws Exception {
      OnlineSync.of(warehouse, g, RedisOnlineStore.factory(uri)).run(common.env());
      ParityReport all =
          ParityCheck.of(warehouse, g, RedisOnlineStore.factory(uri)).run(common.env());
      if (!all.passed())
        throw new IllegalStateException("parity after a full sync failed: " + all.summary());
      m.put("all_keys_checked", all.checked());
      m.put("all_seconds", all.millis() / 1000.0);
      double allRate = all.checked() / (all.millis() / 1000.0);
      m.put("all_keys_per_second", Math.round(allRate));
      // The baseline: every key of the group read from the same Redis with SCAN and pipelined
      // HGETALL, no Flink, no Iceberg.
      double baseline = scanBaseline(uri, g.name());
      m.put("scan_baseline_per_second", Math.round(baseline));
      m.put("ratio", Math.round(allRate / baseline * 1000) / 1000.0);
      ParityReport sampled =
          ParityCheck.of(warehouse, g, RedisOnlineStore.factory(uri))
              .withSample(sample)
              .run(common.env());
      m.put("sample_keys_checked", sampled.checked());
      m.put("sample_seconds", sampled.millis() / 1000.0);
    }
  }

  /**
   * Redis memory per key of a group after a full sync ({@code MEMORY USAGE}, every sampled key),
   * next to the same hashes as they were before the version cut (the 64-character fingerprint in
   * {@code _version}) and as they would be with short field names. The three variants are copies
   * under keys of one length, so only the hash's contents differ.
   */
  @Command(
      name = "memory",
      description =
          "Redis bytes per key after a full sync (MEMORY USAGE), next to the hashes with the full 64-character version and with short field names.")
  static final class Memory extends ReconcileBench {
    @Option(
        names = "--sample",
        defaultValue = "2000",
        description = "Keys measured (default: ${DEFAULT-VALUE}).")
    int sample;

    @Override
    String name() {
      return "memory";
    }

    @Override
    boolean comparesCatalogs() {
      return false; // bytes in Redis do not depend on the catalog
    }

    @Override
    void measure(
        FeatureGroup g,
        Warehouse warehouse,
        String uri,
        FeatureTableFixture table,
        Map<String, Object> m)
        throws Exception {
      OnlineSync.of(warehouse, g, RedisOnlineStore.factory(uri)).run(common.env());
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri);
      try (var c = client.connect()) {
        var redis = c.sync();
        java.util.List<String> keys = new java.util.ArrayList<>();
        io.lettuce.core.ScanArgs args =
            io.lettuce.core.ScanArgs.Builder.matches(RedisOnlineStore.matchPattern(g.name()))
                .limit(1000);
        io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
        do {
          io.lettuce.core.KeyScanCursor<String> page = redis.scan(cursor, args);
          for (String k : page.getKeys()) if (keys.size() < sample) keys.add(k);
          cursor = page;
        } while (!cursor.isFinished() && keys.size() < sample);
        long[] bytes = new long[3];
        long fields = 0;
        for (String key : keys) {
          Map<String, String> hash = redis.hgetall(key);
          fields += hash.size();
          String entity = key.substring(g.name().length());
          Map<String, String> full = new LinkedHashMap<>(hash);
          full.put("_version", g.fingerprint());
          Map<String, String> shortNames = new LinkedHashMap<>();
          int i = 0;
          for (Map.Entry<String, String> e : hash.entrySet())
            shortNames.put(e.getKey().startsWith("_") ? e.getKey() : "f" + i++, e.getValue());
          java.util.List<Map<String, String>> variants = java.util.List.of(hash, full, shortNames);
          for (int v = 0; v < 3; v++) {
            String twin = "janus-bench-memory-" + v + entity;
            redis.hset(twin, variants.get(v));
            bytes[v] += redis.memoryUsage(twin);
            redis.unlink(twin);
          }
        }
        int n = Math.max(1, keys.size());
        m.put("keys_measured", (long) keys.size());
        m.put("fields_per_key", fields / (double) n);
        m.put("bytes_per_key", bytes[0] / (double) n);
        m.put("bytes_per_key_with_64_char_version", bytes[1] / (double) n);
        m.put("bytes_per_key_with_short_field_names", bytes[2] / (double) n);
        m.put("version_cut_saving_ratio", 1 - bytes[0] / (double) bytes[1]);
        m.put("short_names_saving_ratio", 1 - bytes[2] / (double) bytes[0]);
        m.put("hash_encoding", redis.objectEncoding(keys.isEmpty() ? "" : keys.get(0)));
      } finally {
        client.shutdown();
      }
    }
  }
}
