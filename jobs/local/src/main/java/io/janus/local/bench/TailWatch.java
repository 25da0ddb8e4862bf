package io.janus.local.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What may have delayed a freshness run, recorded while it runs, so a tail comes with its evidence:
 * this JVM's garbage-collection pauses (wall-clock start and length; concurrent cycles, which do
 * not stop the job, are left out), and the Redis server's own latency events ({@code LATENCY
 * LATEST} with a 10 ms threshold: a fork for an append-only-file rewrite, a write waiting for an
 * fsync, a slow command) and forks ({@code total_forks}). A Redis that refuses {@code CONFIG} or
 * {@code LATENCY} (a managed one) reports none.
 */
final class TailWatch {
  /** A stop-the-world pause: when it began (epoch ms) and how long it took (ms). */
  record Pause(long startMs, long millis) {}

  private final ConcurrentLinkedQueue<Pause> pauses = new ConcurrentLinkedQueue<>();
  private final List<Runnable> removals = new ArrayList<>();
  private final String uri;
  private long forksBefore = -1;

  private TailWatch(String uri) {
    this.uri = uri;
  }

  /** Starts recording pauses and resets the Redis latency monitor. */
  static TailWatch start(String redisUri) {
    TailWatch w = new TailWatch(redisUri);
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    w.removals.add(
        LiveHeap.onCollection(
            info -> {
              // G1 reports its concurrent marking as "G1 Concurrent GC": it runs beside the job.
              if (!info.getGcName().contains("Concurrent"))
                w.pauses.add(
                    new Pause(
                        jvmStart + info.getGcInfo().getStartTime(),
                        info.getGcInfo().getDuration()));
            }));
    w.redis(
        c -> {
          c.sync().configSet("latency-monitor-threshold", "10");
          c.sync()
              .dispatch(
                  Latency.LATENCY,
                  new io.lettuce.core.output.IntegerOutput<>(
                      io.lettuce.core.codec.StringCodec.UTF8),
                  new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                      .add("RESET"));
          w.forksBefore = forks(c);
          return null;
        });
    return w;
  }

  /**
   * Stops recording and describes the run since {@code fromMs}: GC pauses (longest, total, and
   * those of 50 ms or more with their offset from {@code fromMs} in seconds), the Redis latency
   * events (name → worst ms) and forks.
   */
  Map<String, Object> stop(long fromMs) {
    removals.forEach(Runnable::run);
    Map<String, Object> d = new LinkedHashMap<>();
    long max = 0;
    long total = 0;
    List<String> long50 = new ArrayList<>();
    for (Pause p : pauses) {
      if (p.startMs() < fromMs) continue;
      max = Math.max(max, p.millis());
      total += p.millis();
      if (p.millis() >= 50)
        long50.add(String.format("%.1fs:%dms", (p.startMs() - fromMs) / 1000.0, p.millis()));
    }
    d.put("gc_pause_max_ms", max);
    d.put("gc_pause_total_ms", total);
    d.put("gc_pauses_over_50ms", long50);
    Map<String, Long> events = new LinkedHashMap<>();
    Long forks =
        redis(
            c -> {
              List<Object> latest =
                  c.sync()
                      .dispatch(
                          Latency.LATENCY,
                          new io.lettuce.core.output.NestedMultiOutput<>(
                              io.lettuce.core.codec.StringCodec.UTF8),
                          new io.lettuce.core.protocol.CommandArgs<>(
                                  io.lettuce.core.codec.StringCodec.UTF8)
                              .add("LATEST"));
              for (Object o : latest)
                if (o instanceof List<?> e && e.size() >= 4)
                  events.put(String.valueOf(e.get(0)), ((Number) e.get(3)).longValue());
              return forksBefore < 0 ? null : forks(c) - forksBefore;
            });
    d.put("redis_latency_max_ms", events);
    d.put("redis_forks", forks);
    return d;
  }

  /** Lettuce has no LATENCY command of its own. */
  private enum Latency implements io.lettuce.core.protocol.ProtocolKeyword {
    LATENCY;

    @Override
    public byte[] getBytes() {
      return name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  private static long forks(StatefulRedisConnection<String, String> c) {
    for (String line : c.sync().info("stats").split("\r?\n"))
      if (line.startsWith("total_forks:")) return Long.parseLong(line.substring(12).trim());
    return -1;
  }

  private <T> T redis(java.util.function.Function<StatefulRedisConnection<String, String>, T> f) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return f.apply(c);
    } catch (RuntimeException e) {
      return null; // a managed Redis may refuse CONFIG and LATENCY: no evidence from it
    } finally {
      client.shutdown();
    }
  }
}
