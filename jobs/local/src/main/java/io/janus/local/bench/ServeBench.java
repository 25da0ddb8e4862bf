package io.janus.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.sync.OnlineSync;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.janus.jobs.cli.RedisOptions;
import io.janus.local.RegistryModels;
import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.Stage;
import io.janus.registry.train.Trainer;
import io.janus.serving.FeatureServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench serve}: the feature server under load, against a real redis-server, next to
 * the raw store in the same run. Single-entity {@code GET} at a fixed offered rate (open loop,
 * latency from the intended send time) and at its most ({@code wrk}, closed loop), next to {@code
 * redis-benchmark} doing the equivalent {@code HGETALL} at the same concurrency; batch {@code POST
 * /features} of 1, 10 and 100 entities × 3 groups; {@code /predict} with a model from the real
 * registry.
 */
@Command(
    name = "serve",
    description =
        "Feature server latency and throughput (GET, POST /features, /predict) vs redis-benchmark on the same Redis.")
public final class ServeBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> GROUPS =
      List.of("user_activity", "product_stats", "session_stats");

  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(
      names = "--keys",
      defaultValue = "10000",
      description = "Entities per group in the store (default: ${DEFAULT-VALUE}).")
  long keys;

  @Option(
      names = "--rate",
      defaultValue = "20000",
      description =
          "Offered GET requests per second in the open-loop run (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--low-rate",
      defaultValue = "5000",
      description =
          "A second, lower offered GET rate, for the latency at a load the machine holds (default: ${DEFAULT-VALUE}).")
  int lowRate;

  @Option(
      names = "--event-loops",
      description = "Event loops of the server (default: one per core).")
  Integer eventLoops;

  @Option(
      names = "--predict-rate",
      defaultValue = "2000",
      description = "Offered /predict requests per second (default: ${DEFAULT-VALUE}).")
  int predictRate;

  @Option(
      names = "--connections",
      defaultValue = "16",
      description = "HTTP connections (and redis-benchmark clients) (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--seconds",
      defaultValue = "10",
      description =
          "Measured seconds per run, after a warm-up of a third as long (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--json", description = "Print the figures as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path dir =
        Files.createDirectories(common.config().workdir().resolve("bench"))
            .resolve("serve-" + System.currentTimeMillis());
    Warehouse warehouse = Warehouse.local(dir.resolve("warehouse"));
    int parallelism = common.env().getParallelism();
    List<FeatureGroup> groups = new ArrayList<>();
    for (String g : GROUPS) groups.add(common.group(g));
    Duration warmup = Duration.ofSeconds(Math.max(1, seconds / 3));
    Duration measure = Duration.ofSeconds(seconds);
    Map<String, Object> out = new LinkedHashMap<>();
    try (RedisOptions.Server server = redis.open(dir)) {
      // Feature tables of the three groups, synced into Redis as a deployment would.
      for (FeatureGroup g : groups) {
        new FeatureTableFixture(warehouse, g, keys).writeAll(parallelism);
        OnlineSync.of(warehouse, g, server.stores()).run(common.env());
      }
      // A model of user_activity, trained, registered and promoted in the real registry.
      FeatureGroup users = groups.get(0);
      Path spine =
          TrainingSetBench.writeSpine(
              dir.resolve("train.jsonl"), users.entity().get(0), Math.min(20_000, 2 * keys), keys);
      TrainingSet.of(warehouse, Spine.file(spine, "ts"), List.of(users), "bench_serve")
          .run(common.env());
      Trainer.Trained trained = Trainer.of(warehouse, "bench_serve", "label").withEpochs(2).train();
      ModelRegistry registry = ModelRegistry.open(warehouse);
      ModelVersion v =
          registry
              .register("bench_serve")
              .artifact(trained.onnx(), ".onnx")
              .trainingSet("bench_serve")
              .register();
      registry.promote(v.model(), v.version(), Stage.PRODUCTION).change();

      URI redisUri = URI.create(server.uri());
      try (RedisOnlineStore store =
              RedisOnlineStore.failingFast(
                  server.uri(), Duration.ofSeconds(30), Duration.ofSeconds(1));
          RegistryModels models = new RegistryModels(registry);
          FeatureServer http = server(groups, store, models)) {
        out.put("keys_per_group", keys);
        out.put("connections", connections);
        out.put("seconds", seconds);

        // The raw store: redis-benchmark's HGETALL of one stored key at the same concurrency.
        String storeKey = OnlineReader.storeKey(users, "k" + (keys / 2));
        Double raw =
            redisBenchmark(redisUri, storeKey, connections, Math.max(100_000, rate * seconds));
        out.put(
            "redis_benchmark_tool",
            raw == null ? "missing (apt-get install redis-tools)" : "redis-benchmark");

        // Single-entity GET: at its most (closed loop), then open loop at a rate the machine
        // holds and at the offered rate. Each run has a load generator of its own: closing it
        // cancels what an overloaded run still queues, so no run measures the previous one's
        // backlog.
        Random rnd = new Random(1);
        LongFunction<LoadGenerator.Request> get =
            i ->
                new LoadGenerator.Request(
                    HttpMethod.GET,
                    "/features/user_activity/k" + Math.floorMod(rnd.nextLong(), keys),
                    null);
        // Warm-up first: measured with wrk on a cold server, GETs ran at 10.5k/s, then at 18.7k/s
        // once the JIT had compiled the request path.
        try (LoadGenerator load = new LoadGenerator(http.port(), connections)) {
          load.closedLoop(
              get, connections, Duration.ZERO, Duration.ofSeconds(Math.max(5, seconds)));
        }
        Double wrk = wrk(http.port(), connections, seconds, keys, dir);
        double getMax;
        if (wrk != null) {
          getMax = wrk;
        } else {
          try (LoadGenerator load = new LoadGenerator(http.port(), connections)) {
            getMax = load.closedLoop(get, connections, warmup, measure).achieved();
          }
        }
        out.put("get_requests_per_second", round(getMax));
        out.put(
            "get_closed_loop_tool",
            wrk != null ? "wrk" : "janus (wrk missing: apt-get install wrk)");
        out.put("redis_benchmark_requests_per_second", raw == null ? null : round(raw));
        out.put("ratio", raw == null ? null : Math.round(getMax / raw * 1000) / 1000.0);
        LoadGenerator.Result low = openLoop(http.port(), get, lowRate, warmup, measure);
        out.put("get_low_rate_offered_requests_per_second", lowRate);
        out.put("get_low_rate_p50_ms", low.p(50));
        out.put("get_low_rate_p99_ms", low.p(99));
        out.put("get_low_rate_p999_ms", low.p(99.9));
        out.put("get_low_rate_errors", low.errors());
        LoadGenerator.Result open = openLoop(http.port(), get, rate, warmup, measure);
        out.put("get_offered_requests_per_second", rate);
        out.put("get_open_loop_requests_per_second", round(open.achieved()));
        out.put("get_p50_ms", open.p(50));
        out.put("get_p99_ms", open.p(99));
        out.put("get_p999_ms", open.p(99.9));
        out.put("get_errors", open.errors());

        // Batch POST /features: 1, 10 and 100 entities × 3 groups.
        for (int n : List.of(1, 10, 100)) {
          LongFunction<LoadGenerator.Request> batch = i -> batch(n, rnd);
          int batchRate = n == 1 ? 2000 : n == 10 ? 1000 : 200;
          LoadGenerator.Result b = openLoop(http.port(), batch, batchRate, warmup, measure);
          out.put("batch" + n + "_offered_requests_per_second", batchRate);
          out.put("batch" + n + "_p50_ms", b.p(50));
          out.put("batch" + n + "_p99_ms", b.p(99));
          out.put("batch" + n + "_errors", b.errors());
        }

        // /predict at the offered rate.
        LongFunction<LoadGenerator.Request> predict =
            i ->
                new LoadGenerator.Request(
                    HttpMethod.POST,
                    "/predict",
                    Buffer.buffer(
                        "{\"model\":\"bench_serve\",\"entities\":[{\"user_id\":\"k"
                            + Math.floorMod(rnd.nextLong(), keys)
                            + "\"}]}"));
        LoadGenerator.Result p = openLoop(http.port(), predict, predictRate, warmup, measure);
        out.put("predict_offered_requests_per_second", predictRate);
        out.put("predict_p50_ms", p.p(50));
        out.put("predict_p99_ms", p.p(99));
        out.put("predict_errors", p.errors());
      }
    }
    if (json) {
      System.out.println(Json.line(out));
    } else {
      System.out.println("bench serve (" + Runtime.getRuntime().availableProcessors() + " cores):");
      out.forEach((k, val) -> System.out.printf("  %-38s %s%n", k, val));
    }
    return 0;
  }

  private FeatureServer server(
      List<FeatureGroup> groups, RedisOnlineStore store, RegistryModels models) {
    FeatureServer.Builder b =
        FeatureServer.builder()
            .groups(groups)
            .store(store)
            .models(models)
            .host("127.0.0.1")
            .port(0);
    if (eventLoops != null) b.eventLoops(eventLoops);
    return b.start();
  }

  /** One open-loop run with a fresh load generator, then a pause for the server to settle. */
  private LoadGenerator.Result openLoop(
      int port,
      LongFunction<LoadGenerator.Request> next,
      int offered,
      Duration warmup,
      Duration measure)
      throws InterruptedException {
    try (LoadGenerator load = new LoadGenerator(port, connections)) {
      return load.openLoop(next, offered, warmup, measure);
    } finally {
      Thread.sleep(2000);
    }
  }

  private LoadGenerator.Request batch(int n, Random rnd) {
    StringBuilder b = new StringBuilder("{\"entities\":[");
    for (int e = 0; e < n; e++) {
      if (e > 0) b.append(',');
      b.append("{\"user_id\":\"k")
          .append(Math.floorMod(rnd.nextLong(), keys))
          .append("\",\"product_id\":\"k")
          .append(Math.floorMod(rnd.nextLong(), keys))
          .append("\",\"session_id\":\"k")
          .append(Math.floorMod(rnd.nextLong(), keys))
          .append("\"}");
    }
    b.append("],\"groups\":[\"user_activity\",\"product_stats\",\"session_stats\"]}");
    return new LoadGenerator.Request(HttpMethod.POST, "/features", Buffer.buffer(b.toString()));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** redis-benchmark's requests/s for {@code HGETALL key}, or null when it is not installed. */
  private static Double redisBenchmark(URI redis, String key, int clients, long requests)
      throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "redis-benchmark",
                "-h",
                redis.getHost(),
                "-p",
                Integer.toString(redis.getPort()),
                "-c",
                Integer.toString(clients),
                "-n",
                Long.toString(requests),
                "--csv"));
    String info = redis.getUserInfo();
    if (info != null && info.contains(":")) {
      // redis-benchmark takes a password on its command line only (no environment variable, no
      // prompt): acceptable for the throwaway server of the bench's own directory, whose random
      // password dies with it; with --redis, give a server without one.
      cmd.addAll(List.of("-a", info.substring(info.indexOf(':') + 1)));
      if (info.indexOf(':') > 0)
        cmd.addAll(List.of("--user", info.substring(0, info.indexOf(':'))));
    }
    cmd.addAll(List.of("HGETALL", key));
    List<String> lines = run(cmd, 300);
    if (lines == null) return null;
    // --csv: a header line, then "HGETALL …","<requests per second>",…
    for (int i = lines.size() - 1; i >= 0; i--) {
      String[] f = lines.get(i).split(",");
      if (f.length > 1) {
        try {
          return Double.parseDouble(f[1].replace("\"", ""));
        } catch (NumberFormatException ignored) {
          // the header
        }
      }
    }
    throw new IllegalStateException("cannot read redis-benchmark's output: " + lines);
  }

  /** wrk's requests/s for random single-entity GETs, or null when it is not installed. */
  private static Double wrk(int port, int connections, int seconds, long keys, Path dir)
      throws Exception {
    Path script = dir.resolve("get.lua");
    Files.writeString(
        script,
        "request = function()\n"
            + "  return wrk.format(\"GET\", \"/features/user_activity/k\" .. math.random(0, "
            + (keys - 1)
            + "))\n"
            + "end\n");
    List<String> lines =
        run(
            List.of(
                "wrk",
                "-t1",
                "-c" + connections,
                "-d" + seconds + "s",
                "-s",
                script.toString(),
                "http://127.0.0.1:" + port),
            seconds + 60);
    if (lines == null) return null;
    for (String l : lines) {
      if (l.startsWith("Requests/sec:")) return Double.parseDouble(l.substring(13).trim());
    }
    throw new IllegalStateException("cannot read wrk's output: " + lines);
  }

  /** The output lines of {@code cmd}, or null when the tool is not installed. */
  private static List<String> run(List<String> cmd, int timeoutSeconds) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (java.io.IOException notInstalled) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) lines.add(l);
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(cmd.get(0) + " did not finish in " + timeoutSeconds + " s");
    }
    if (p.exitValue() != 0)
      throw new IllegalStateException(cmd.get(0) + " failed: " + String.join("\n", lines));
    return lines;
  }
}
