package io.janus.local;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.RedisOptions;
import io.janus.serving.FeatureServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus serve}: the feature server, until the process is stopped. */
@Command(
    name = "serve",
    description =
        "Serve online feature values and predictions of the registry's production models over HTTP (GET /features/{group}/{key}, POST /features, POST /predict, /healthz, /metrics, /openapi.yaml) until stopped.")
public final class ServeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--groups",
      split = ",",
      paramLabel = "GROUP",
      description = "Groups to serve, comma-separated (default: every group).")
  List<String> groups;

  @Option(
      names = "--store-timeout",
      defaultValue = "1s",
      description =
          "Longest wait for the online store per request before a 503 (default: ${DEFAULT-VALUE}).")
  String storeTimeout;

  @Option(
      names = "--model-refresh",
      defaultValue = "10s",
      description =
          "How often the registry is read for promotions; a new production version is swapped in atomically (default: ${DEFAULT-VALUE}).")
  String modelRefresh;

  @Option(
      names = "--event-loops",
      description =
          "Event loops serving HTTP, each with a server of its own (default: one per core).")
  Integer eventLoops;

  @Option(
      names = "--log-sample",
      defaultValue = "0.01",
      description =
          "Share of entity keys whose served values are logged to janus.served_features, every request of a sampled key (0 turns the log off; default: ${DEFAULT-VALUE}).")
  double logSample;

  @Option(
      names = "--log-flush",
      defaultValue = "10s",
      description =
          "Longest time a logged value waits before it is written (default: ${DEFAULT-VALUE}).")
  String logFlush;

  @Override
  public Integer call() throws Exception {
    if (logSample < 0 || logSample > 1)
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--log-sample must be between 0 and 1: " + logSample);
    List<FeatureGroup> served = new ArrayList<>();
    if (groups == null) {
      served.addAll(common.definitions().groups().values());
    } else {
      for (String name : groups) served.add(common.group(name));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stopped.countDown();
              try {
                closed.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "janus-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (RedisOptions.Server server = redis.open(common.config());
        RedisOnlineStore store =
            RedisOnlineStore.failingFast(
                server.uri(),
                Duration.ofSeconds(60),
                io.janus.engine.core.definition.Durations.parse(storeTimeout));
        RegistryModels models =
            new RegistryModels(io.janus.registry.ModelRegistry.open(common.warehouse()));
        FeatureServer http = server(served, store, models)) {
      System.out.printf(
          "serving %d group(s) (%s) and %d production model(s) (%s) on http://%s:%d; GET /features/{group}/{key}, POST /features, POST /predict, /healthz, /metrics, /openapi.yaml; stop with Ctrl-C%n",
          served.size(),
          String.join(", ", served.stream().map(FeatureGroup::name).toList()),
          models.models().size(),
          String.join(
              ", ",
              models.models().values().stream().map(m -> m.name() + "@" + m.version()).toList()),
          host,
          http.port());
      System.out.flush();
      stopped.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }

  private FeatureServer server(
      List<FeatureGroup> served, RedisOnlineStore store, RegistryModels models) {
    FeatureServer.Builder b =
        FeatureServer.builder()
            .groups(served)
            .store(store)
            .models(models)
            .modelRefresh(io.janus.engine.core.definition.Durations.parse(modelRefresh))
            .host(host)
            .port(port);
    if (eventLoops != null) b.eventLoops(eventLoops);
    if (logSample > 0) {
      b.servedLog(servedLog(common.warehouse()), logSample)
          .servedLogFlush(io.janus.engine.core.definition.Durations.parse(logFlush));
    }
    return b.start();
  }

  /** Appends served values to {@code janus.served_features} of {@code warehouse}. */
  static io.janus.serving.ServedSink servedLog(io.janus.engine.iceberg.Warehouse warehouse) {
    org.apache.iceberg.Table table =
        io.janus.engine.iceberg.served.ServedFeatures.createOrLoad(warehouse);
    String who = "janus serve on " + hostName() + " pid " + ProcessHandle.current().pid();
    return batch -> io.janus.engine.iceberg.served.ServedFeatures.append(table, batch, who);
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
