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
        "Serve online feature values over HTTP (GET /features/{group}/{key}, POST /features, /healthz, /metrics, /openapi.yaml) until stopped.")
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

  @Override
  public Integer call() throws Exception {
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
    try (RedisOptions.Server server = redis.open(common.config().workdir());
        RedisOnlineStore store =
            RedisOnlineStore.failingFast(
                server.uri(),
                Duration.ofSeconds(60),
                io.janus.engine.core.definition.Durations.parse(storeTimeout));
        FeatureServer http =
            FeatureServer.builder().groups(served).store(store).host(host).port(port).start()) {
      System.out.printf(
          "serving %d group(s) (%s) on http://%s:%d; GET /features/{group}/{key}, POST /features, /healthz, /metrics, /openapi.yaml; stop with Ctrl-C%n",
          served.size(),
          String.join(", ", served.stream().map(FeatureGroup::name).toList()),
          host,
          http.port());
      System.out.flush();
      stopped.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }
}
