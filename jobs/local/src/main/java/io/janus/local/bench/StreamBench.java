package io.janus.local.bench;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.engine.flink.source.PayloadSource;
import io.janus.engine.flink.stream.StreamJob;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.features.generate.ClickstreamGenerator;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench stream}: (1) sustained throughput of a group's streaming job from in-memory
 * events into a real Redis; (2) freshness — time from an event entering the source to its value
 * being readable in Redis — at a fixed rate; (3) guarded sink writes against raw pipelined HSETs on
 * the same server.
 */
@Command(
    name = "stream",
    description =
        "Streaming throughput, freshness at a fixed rate, and guarded Redis writes vs raw pipelined HSET.")
public final class StreamBench implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--events",
      defaultValue = "1000000",
      description = "Events for the throughput run (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--rate",
      defaultValue = "50000",
      description = "Events per second for the freshness run (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--seconds",
      defaultValue = "30",
      description = "Measured length of the freshness run (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup",
      defaultValue = "20",
      description =
          "Seconds the freshness run goes at the same rate before it measures (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--allowed-lateness",
      defaultValue = "50",
      description = "Out-of-orderness of the freshness run in ms (default: ${DEFAULT-VALUE}).")
  long latenessMs;

  @Option(
      names = "--sink-rows",
      defaultValue = "300000",
      description = "Rows for the sink comparison (default: ${DEFAULT-VALUE}).")
  int sinkRows;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "10s",
      description = "Checkpoint interval of the runs (default: ${DEFAULT-VALUE}).")
  String checkpointInterval;

  @Option(
      names = "--group",
      defaultValue = "user_activity",
      description = "Group (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(
      names = "--nice",
      defaultValue = "10",
      description =
          "Nice value the bench's JVM runs at once the embedded Redis is up, so the Redis under test "
              + "gets a core when it needs one, as on a host of its own; 0 leaves both equal (default: ${DEFAULT-VALUE}).")
  int nice;

  @Option(
      names = "--repeat",
      defaultValue = "5",
      description =
          "Freshness runs, each with its warm-up; the worst p99 is reported (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--json", description = "Print the figures as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    FeatureGroup g = common.group(group);
    Path dir =
        Files.createDirectories(common.config().workdir().resolve("bench"))
            .resolve("stream-" + System.currentTimeMillis());
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", g.name());
    try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
      // Linux schedules threads, not processes: the job's half a dozen busy threads would otherwise
      // leave the single-threaded Redis a third of a core (measured), and the bench would measure
      // that.
      m.put("jvm_nice", nice > 0 ? lowerJvmPriority(nice) : 0);
      // 1. Throughput.
      List<String> lines = new ArrayList<>((int) events);
      ClickstreamGenerator.builder()
          .events(events)
          .days(1)
          .start(LocalDate.now(ZoneOffset.UTC))
          .until(java.time.Instant.now()) // none ahead of the clock: sources refuse those
          .malformedRate(0)
          .build()
          .lines()
          .forEachRemaining(lines::add);
      InMemoryPayloadSource memory = new InMemoryPayloadSource(lines);
      List<Double> runSeconds = new ArrayList<>();
      try {
        // The first run warms the JIT up (the streaming path is large); the median of the next
        // three counts.
        for (int run = 0; run < 4; run++) {
          long t0 = System.nanoTime();
          StreamJob.of(warehouse, g, memory, RedisOnlineStore.factory(redis.uri()))
              .withoutColdPath()
              .withCheckpointInterval(
                  io.janus.engine.core.definition.Durations.parse(checkpointInterval))
              .withCheckpointDir(dir.resolve("checkpoints"))
              .run(common.env());
          if (run > 0) runSeconds.add((System.nanoTime() - t0) / 1e9);
        }
      } finally {
        memory.release();
      }
      double throughputSeconds = runSeconds.stream().sorted().toList().get(1);
      m.put("events", events);
      m.put("events_per_second", Math.round(events / throughputSeconds));
      m.put("throughput_seconds", round(throughputSeconds));
      m.put(
          "throughput_runs_events_per_second",
          runSeconds.stream().map(t -> Math.round(events / t)).toList());

      // 2. Freshness at a fixed rate, run after run: a tail in one run of several is what users
      // meet in production, so the worst run is the figure.
      List<double[]> runs = new ArrayList<>();
      List<Map<String, Object>> evidence = new ArrayList<>();
      for (int run = 0; run < Math.max(1, repeat); run++)
        runs.add(freshness(g, warehouse, redis.uri(), run, evidence));
      double[] worst =
          runs.stream().max(java.util.Comparator.comparingDouble(r -> r[1])).orElseThrow();
      m.put("rate", rate);
      m.put("freshness_runs", runs.size());
      m.put("freshness_probes", runs.stream().mapToLong(r -> (long) r[2]).sum());
      m.put("freshness_probes_unseen", runs.stream().mapToLong(r -> (long) r[3]).sum());
      // Null when more than half (p50) or 1 % (p99) of a run's probes never showed up in Redis.
      m.put("freshness_p50_ms", millis(worst[0]));
      m.put("freshness_p99_ms", millis(worst[1]));
      m.put("freshness_p50_runs_ms", runs.stream().map(r -> millis(r[0])).toList());
      m.put("freshness_p99_runs_ms", runs.stream().map(r -> millis(r[1])).toList());
      m.put("freshness_warmup_seconds", warmup);
      // What each run met while it measured: GC pauses, Redis latency events and forks, and when
      // (seconds into the measured part) the probes later than 250 ms were emitted.
      m.put("freshness_evidence_runs", evidence);
      m.put("allowed_lateness_ms", latenessMs);

      // 3. Guarded sink writes vs raw pipelined HSET.
      double guarded = guardedWrites(redis.uri());
      double raw = rawHset(redis.uri());
      m.put("sink_guarded_writes_per_second", Math.round(guarded));
      m.put("raw_pipelined_hset_per_second", Math.round(raw));
      m.put("sink_ratio", round(guarded / raw));
    }
    if (json) {
      System.out.println(Json.line(m));
    } else {
      System.out.printf(
          "stream bench: %s, parallelism %d, JVM at nice %d, embedded Redis (append-only file on) at 0%n",
          g.name(), common.env().getParallelism(), m.get("jvm_nice"));
      System.out.printf(
          "  throughput into Redis       %,10d events/s (median of 3 runs %s, %,d events each, cold path off)%n",
          m.get("events_per_second"), m.get("throughput_runs_events_per_second"), events);
      System.out.printf(
          "  freshness at %,d/s          worst run p50 %s ms, p99 %s ms (%d runs of %d s after %d s warm-up each, %d probes, %d never seen; allowed lateness %d ms)%n",
          rate,
          ms(m.get("freshness_p50_ms")),
          ms(m.get("freshness_p99_ms")),
          m.get("freshness_runs"),
          seconds,
          warmup,
          m.get("freshness_probes"),
          m.get("freshness_probes_unseen"),
          latenessMs);
      System.out.printf(
          "    p50 by run %s ms, p99 by run %s ms%n",
          m.get("freshness_p50_runs_ms"), m.get("freshness_p99_runs_ms"));
      if (m.get("freshness_evidence_runs") instanceof List<?> evidence)
        for (int i = 0; i < evidence.size(); i++)
          System.out.printf("    run %d evidence: %s%n", i, evidence.get(i));
      System.out.printf(
          "  guarded sink writes         %,10d rows/s%n", m.get("sink_guarded_writes_per_second"));
      System.out.printf(
          "  raw pipelined HSET          %,10d ops/s%n", m.get("raw_pipelined_hset_per_second"));
      System.out.printf("  sink ratio                  %10.2f%n", m.get("sink_ratio"));
    }
    return 0;
  }

  // ------------------------------------------------------------------ freshness

  /** Emission time (ms) of each probe event, by user id; shared with the source in this JVM. */
  static final Map<String, Long> PROBES = new ConcurrentHashMap<>();

  /** Milliseconds rounded; null for a percentile some probes never reached. */
  private static Double millis(double ms) {
    return Double.isInfinite(ms) || Double.isNaN(ms) ? null : round(ms);
  }

  private double[] freshness(
      FeatureGroup g, Warehouse warehouse, String uri, int run, List<Map<String, Object>> evidence)
      throws Exception {
    PROBES.clear();
    NEW_PROBES.clear();
    long total = (long) rate * (warmup + seconds);
    Map<String, Long> seen = new ConcurrentHashMap<>();
    Thread poller = new Thread(() -> poll(g, uri, seen), "freshness-poller");
    poller.setDaemon(true);
    poller.start();
    TailWatch watch = TailWatch.start(uri);
    StreamExecutionEnvironment env = common.env();
    env.getConfig().setAutoWatermarkInterval(10);
    StreamJob.of(warehouse, g, new RatedSource(total, rate, run), RedisOnlineStore.factory(uri))
        .withoutColdPath()
        .withOutOfOrderness(Duration.ofMillis(latenessMs))
        .withoutIdleness()
        .withCheckpointInterval(io.janus.engine.core.definition.Durations.parse(checkpointInterval))
        .withCheckpointDir(
            common
                .config()
                .workdir()
                .resolve("bench")
                .resolve("freshness-checkpoints")
                .resolve("run-" + run))
        .run(env);
    Thread.sleep(500);
    poller.interrupt();
    poller.join();
    // A long-running job is measured, not its first seconds: until then the JIT compiler still
    // takes
    // most of a core (measured: 0.4-0.9 core for 15-20 s after the job starts) from the Redis under
    // test.
    long measuredFrom =
        PROBES.values().stream().mapToLong(Long::longValue).min().orElse(0) + warmup * 1000L;
    Map<String, Object> found = watch.stop(measuredFrom);
    found.put(
        "probes_over_250ms_at_s",
        PROBES.entrySet().stream()
            .filter(e -> e.getValue() >= measuredFrom)
            .filter(e -> !seen.containsKey(e.getKey()) || seen.get(e.getKey()) - e.getValue() > 250)
            .sorted(Map.Entry.comparingByValue())
            .map(
                e ->
                    String.format(
                        "%.1fs:%s",
                        (e.getValue() - measuredFrom) / 1000.0,
                        seen.containsKey(e.getKey())
                            ? (seen.get(e.getKey()) - e.getValue()) + "ms"
                            : "unseen"))
            .limit(40)
            .toList());
    evidence.add(found);
    // A probe never seen in Redis counts as infinitely late (and is reported), not as absent.
    double[] lat =
        PROBES.entrySet().stream()
            .filter(e -> e.getValue() >= measuredFrom)
            .mapToDouble(
                e ->
                    seen.containsKey(e.getKey())
                        ? seen.get(e.getKey()) - e.getValue()
                        : Double.POSITIVE_INFINITY)
            .sorted()
            .toArray();
    long unseen = Arrays.stream(lat).filter(Double::isInfinite).count();
    if (lat.length == 0) return new double[] {Double.NaN, Double.NaN, 0, 0};
    return new double[] {
      lat[lat.length / 2],
      lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))],
      lat.length,
      unseen
    };
  }

  /** Probes the source emitted and the poller has not picked up yet. */
  static final Queue<String> NEW_PROBES = new ConcurrentLinkedQueue<>();

  /**
   * Which of KEYS exist, in one command: the poller asks every 2 ms for every probe not seen yet,
   * and as many separate reads would themselves load the Redis under test more the slower it
   * answers.
   */
  private static final String EXISTING =
      "local r = {} for i, k in ipairs(KEYS) do r[i] = redis.call('EXISTS', k) end return r";

  private static void poll(FeatureGroup g, String uri, Map<String, Long> seen) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      var redis = c.sync();
      List<String> pending = new ArrayList<>();
      while (!Thread.currentThread().isInterrupted()) {
        for (String p; (p = NEW_PROBES.poll()) != null; ) pending.add(p);
        List<Long> exists = null;
        if (!pending.isEmpty()) {
          try {
            exists =
                redis.eval(
                    EXISTING,
                    ScriptOutputType.MULTI,
                    pending.stream().map(k -> g.name() + ":" + k).toArray(String[]::new));
          } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) return; // the run is over
            System.err.println("bench stream: probe poll failed, retrying: " + e.getMessage());
          }
        }
        if (exists != null) {
          long now = System.currentTimeMillis();
          List<String> still = new ArrayList<>();
          for (int i = 0; i < pending.size(); i++) {
            if (exists.get(i) == 1L) seen.put(pending.get(i), now);
            else still.add(pending.get(i));
          }
          pending = still;
        }
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    } finally {
      client.shutdown();
    }
  }

  /**
   * Events stamped with the wall clock as they enter the source, at a fixed rate; one in 500 is a
   * probe with its own user.
   */
  static final class RatedSource implements PayloadSource {
    private final long total;
    private final int rate;
    private final int run;

    /** Run {@code run}'s events: its probe users and event ids are its own. */
    RatedSource(long total, int rate, int run) {
      this.total = total;
      this.rate = rate;
      this.run = run;
    }

    @Override
    public DataStream<String> payloads(StreamExecutionEnvironment env) {
      int run = this.run;
      GeneratorFunction<Long, String> fn =
          i -> {
            // The time the event was due, not when the source got to it: a held-back source counts.
            long now = PacedRateLimiter.scheduledMillis(System.currentTimeMillis());
            String user =
                i % 500 == 0
                    ? "probe" + run + "-" + i
                    : "u" + Math.floorMod(i * 2654435761L, 20000);
            if (i % 500 == 0) {
              PROBES.put(user, now);
              NEW_PROBES.add(user);
            }
            String type = i % 10 == 0 ? "add_to_cart" : i % 31 == 0 ? "purchase" : "page_view";
            return "{\"event_id\":\"f"
                + run
                + "-"
                + i
                + "\",\"event_ts\":\""
                + Instant.ofEpochMilli(now)
                + "\",\"user_id\":\""
                + user
                + "\",\"session_id\":\"s"
                + (i / 20)
                + "\",\"event_type\":\""
                + type
                + "\",\"product_id\":\"p"
                + (i % 2000)
                + "\",\"price\":19.99,\"currency\":\"USD\",\"device\":{\"mobile\":true,\"os\":\"ios\"},\"geo\":{\"country\":\"DE\",\"city\":\"Berlin\"}}";
          };
      return env.fromSource(
          new DataGeneratorSource<>(fn, total, PacedRateLimiter.perSecond(rate), Types.STRING),
          WatermarkStrategy.noWatermarks(),
          "rated events");
    }

    @Override
    public String origin() {
      return "rated:" + rate + "/s";
    }
  }

  // ------------------------------------------------------------------ sink vs raw

  private double guardedWrites(String uri) throws Exception {
    try (RedisOnlineStore store = new RedisOnlineStore(uri)) {
      List<OnlineRow> rows = new ArrayList<>(sinkRows);
      for (int i = 0; i < sinkRows; i++) {
        Map<String, String> values = new HashMap<>();
        for (String f : FIELDS) values.put(f, Integer.toString(i % 97));
        rows.add(new OnlineRow("bench", "k" + (i % 50000), i, "v1", 0, values));
      }
      runGuarded(store, rows.subList(0, Math.min(50000, rows.size()))); // warm-up
      long t0 = System.nanoTime();
      runGuarded(store, rows);
      return sinkRows / ((System.nanoTime() - t0) / 1e9);
    }
  }

  /** Batches of 500, at most 8 in flight: what the sink does. */
  static void runGuarded(RedisOnlineStore store, List<OnlineRow> rows) {
    ArrayDeque<CompletableFuture<List<Boolean>>> inFlight = new ArrayDeque<>();
    for (int i = 0; i < rows.size(); i += 500) {
      inFlight.add(store.multiPut(rows.subList(i, Math.min(rows.size(), i + 500))));
      while (inFlight.size() > 8) inFlight.poll().join();
    }
    inFlight.forEach(CompletableFuture::join);
  }

  private double rawHset(String uri) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      var async = c.async();
      Map<String, String> values = new HashMap<>();
      for (String f : FIELDS) values.put(f, "1");
      values.put("_valid_from", "1");
      values.put("_version", "v1");
      runRaw(c, async, values, Math.min(50000, sinkRows)); // warm-up
      long t0 = System.nanoTime();
      runRaw(c, async, values, sinkRows);
      return sinkRows / ((System.nanoTime() - t0) / 1e9);
    } finally {
      client.shutdown();
    }
  }

  private static void runRaw(
      StatefulRedisConnection<String, String> c,
      io.lettuce.core.api.async.RedisAsyncCommands<String, String> async,
      Map<String, String> values,
      int n) {
    ArrayDeque<List<RedisFuture<Long>>> inFlight = new ArrayDeque<>();
    for (int i = 0; i < n; i += 500) {
      List<RedisFuture<Long>> batch = new ArrayList<>(500);
      c.setAutoFlushCommands(false);
      for (int j = i; j < Math.min(n, i + 500); j++)
        batch.add(async.hset("raw:k" + (j % 50000), values));
      c.flushCommands();
      c.setAutoFlushCommands(true);
      inFlight.add(batch);
      while (inFlight.size() > 8) inFlight.poll().forEach(f -> f.toCompletableFuture().join());
    }
    inFlight.forEach(b -> b.forEach(f -> f.toCompletableFuture().join()));
  }

  /**
   * Sets every thread of this JVM (and so those they start later) to nice {@code n}, and returns
   * the lowest nice any thread of it then has: what the bench really ran at.
   */
  private static int lowerJvmPriority(int n) {
    // Twice: a thread started while the first pass ran inherited its creator's old value.
    for (int pass = 0; pass < 2; pass++) {
      List<String> command = new ArrayList<>(List.of("renice", "-n", Integer.toString(n), "-p"));
      command.addAll(threadIds());
      try {
        // A thread that ended meanwhile makes renice exit non-zero; the read-back below is what
        // counts.
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor();
      } catch (java.io.IOException | InterruptedException e) {
        break;
      }
    }
    int lowest = Integer.MAX_VALUE;
    for (String tid : threadIds()) {
      try {
        String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
        // Fields after the command name (which may hold spaces): state is field 3, nice field 19.
        lowest =
            Math.min(
                lowest, Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended
      }
    }
    if (lowest < n)
      System.err.println(
          "bench stream: could not lower the JVM's priority to nice "
              + n
              + " (renice); some threads run at "
              + lowest);
    return lowest == Integer.MAX_VALUE ? 0 : lowest;
  }

  private static List<String> threadIds() {
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks.map(t -> t.getFileName().toString()).toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private static final List<String> FIELDS = Arrays.asList("f1", "f2", "f3", "f4", "f5", "f6");

  private static String ms(Object v) {
    return v == null ? "never" : String.format("%.0f", (Double) v);
  }

  private static double round(double d) {
    return Math.round(d * 10) / 10.0;
  }
}
