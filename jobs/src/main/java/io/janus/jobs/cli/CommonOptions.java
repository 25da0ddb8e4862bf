package io.janus.jobs.cli;

import io.janus.engine.core.definition.DefinitionLoader;
import io.janus.engine.core.definition.Definitions;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.iceberg.Warehouse;
import io.janus.jobs.config.JanusConfig;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/** Options every command takes: work directory, definitions, config file, parallelism. */
public final class CommonOptions {
  @Option(
      names = "--workdir",
      paramLabel = "DIR",
      description =
          "Work directory: warehouse, reports, redis data, checkpoints (default: ./janus-data, or JANUS_WORKDIR).")
  Path workdir;

  @Option(
      names = "--definitions",
      paramLabel = "DIR",
      description =
          "Directory of YAML feature groups and sources, added to (or overriding) the shipped ones.")
  Path definitions;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "YAML configuration (workdir, parallelism, catalog, flink, spark, pushgateway, notifications, redis, kafka).")
  Path config;

  @Option(names = "--parallelism", paramLabel = "N", description = "Parallelism of the Flink job.")
  Integer parallelism;

  private JanusConfig resolved;
  private Definitions defs;

  public JanusConfig config() {
    if (resolved == null) {
      resolved = JanusConfig.load(config, System.getenv(), workdir, parallelism);
    }
    return resolved;
  }

  public Definitions definitions() {
    if (defs == null) {
      defs = DefinitionLoader.load(definitions);
    }
    return defs;
  }

  public FeatureGroup group(String name) {
    return definitions().group(name);
  }

  public Warehouse warehouse() {
    return config().warehouse();
  }

  /**
   * Pushes a batch command's figures to the configured Pushgateway, if any. A failed push warns and
   * never fails the command: the run itself succeeded.
   */
  public void push(io.janus.monitoring.RunMetrics figures) {
    String gateway = config().pushgateway();
    if (gateway == null) return;
    try {
      figures.push(gateway);
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println(
          "warning: could not push metrics to the Pushgateway "
              + gateway
              + ": "
              + io.janus.jobs.Failures.oneLine(e));
    }
  }

  /**
   * Sends a notification to the JSON-lines file and, if configured, the webhook. A destination that
   * fails warns on stderr; the command's outcome stays what the run decided.
   */
  public void notify(
      java.util.function.Supplier<io.janus.monitoring.notify.Notification> notification) {
    try {
      java.util.List<io.janus.monitoring.notify.Notifier> to = new java.util.ArrayList<>();
      to.add(new io.janus.monitoring.notify.JsonLinesNotifier(config().notificationsFile()));
      if (config().notifications().webhook() != null) {
        to.add(
            new io.janus.monitoring.notify.WebhookNotifier(
                java.net.URI.create(config().notifications().webhook())));
      }
      new io.janus.monitoring.notify.Notifiers(to)
          .send(notification.get())
          .forEach(f -> System.err.println("warning: " + f));
    } catch (RuntimeException e) {
      System.err.println(
          "warning: could not send a notification: " + io.janus.jobs.Failures.oneLine(e));
    }
  }

  /** The Flink environment: the cluster's under {@code flink run}, else a local MiniCluster. */
  public StreamExecutionEnvironment env() {
    Configuration conf = new Configuration();
    config().flink().forEach(conf::setString);
    if (!conf.containsKey("io.tmp.dirs")) {
      conf.setString("io.tmp.dirs", config().tmp().toString());
    }
    config().tmp().toFile().mkdirs();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    // Janus functions never keep references to their inputs, so records need no defensive copies.
    env.getConfig().enableObjectReuse();
    if (config().parallelism() > 0) {
      env.setParallelism(config().parallelism());
    }
    return env;
  }
}
