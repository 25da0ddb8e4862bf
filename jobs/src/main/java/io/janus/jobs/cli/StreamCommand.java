package io.janus.jobs.cli;

import io.janus.engine.core.definition.Durations;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.source.FilePayloadSource;
import io.janus.engine.flink.source.KafkaPayloadSource;
import io.janus.engine.flink.source.PayloadSource;
import io.janus.engine.flink.stream.RetainedState;
import io.janus.engine.flink.stream.StreamJob;
import io.janus.jobs.Failures.CliException;
import io.janus.jobs.config.JanusConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus stream}: the streaming hot path of one or more groups of a source into Redis. */
@Command(
    name = "stream",
    description =
        "Run one or more groups of a source in STREAMING mode into the online store (bounded sources end the job).")
public final class StreamCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(
      names = {"--groups", "--group"},
      required = true,
      split = ",",
      paramLabel = "GROUP",
      description =
          "Feature group(s) of one source, comma-separated: one job parses the events and writes the cold path once for all of them.")
  List<String> groups;

  @Option(
      names = "--source",
      required = true,
      description =
          "kafka:TOPIC, file:PATH or generate:N (today's events from the sample generator).")
  String source;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description =
          "Kafka bootstrap servers for kafka:TOPIC (default: the config's kafka.bootstrap_servers, else localhost:9092). Security settings come from the config's kafka section.")
  String kafka;

  @Option(
      names = "--start-offsets",
      defaultValue = "committed",
      description = "committed (else earliest), earliest or latest (default: ${DEFAULT-VALUE}).")
  String startOffsets;

  @Option(
      names = "--consumer-group",
      description = "Kafka consumer group (default: janus-<group>).")
  String consumerGroup;

  @Option(
      names = "--bounded",
      description = "Stop at the Kafka offsets that were latest at start (catch-up runs).")
  boolean bounded;

  @Option(
      names = "--out-of-orderness",
      defaultValue = "2m",
      description = "Allowed lateness of events (default: ${DEFAULT-VALUE}).")
  String outOfOrderness;

  @Option(
      names = "--idleness",
      defaultValue = "1m",
      description =
          "When an idle source split stops holding the watermark (default: ${DEFAULT-VALUE}).")
  String idleness;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "10s",
      description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
  String checkpointInterval;

  @Option(
      names = "--no-cold-path",
      description = "Do not append the consumed events to the raw Iceberg table.")
  boolean noColdPath;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "URI",
      description =
          "Checkpoint directory (default: execution.checkpointing.dir from the config's flink section, else <workdir>/checkpoints/<group>).")
  String checkpointDirOption;

  @Option(
      names = "--fresh",
      description =
          "Start over: remove the retained checkpoints and replay the raw table before the source.")
  boolean fresh;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description =
          "Restore this savepoint (or retained checkpoint) instead of the latest checkpoint.")
  String fromSavepoint;

  @Option(names = "--json", description = "Print the summary as JSON.")
  boolean json;

  /**
   * The option, else {@code <execution.checkpointing.dir>/<name>} when Flink's configuration names
   * one, else {@code <workdir>/checkpoints/<name>}: one directory per stream, holding its retained
   * checkpoints and what they hold.
   */
  private String checkpointDir(org.apache.flink.configuration.ReadableConfig flink, String name) {
    if (checkpointDirOption != null) return checkpointDirOption;
    java.util.Optional<String> configured =
        flink.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
    if (configured.isPresent()) return configured.get().replaceAll("/+$", "") + "/" + name;
    return common
        .config()
        .workdir()
        .resolve("checkpoints")
        .resolve(name)
        .toAbsolutePath()
        .toUri()
        .toString();
  }

  @Override
  public Integer call() throws Exception {
    List<FeatureGroup> gs = new ArrayList<>();
    for (String name : new LinkedHashSet<>(groups)) gs.add(common.group(name));
    String source0 = gs.get(0).source().name();
    for (FeatureGroup g : gs) {
      if (!g.source().name().equals(source0))
        throw new CliException(
            "--groups: "
                + g.name()
                + " reads source "
                + g.source().name()
                + ", "
                + gs.get(0).name()
                + " reads "
                + source0
                + "; one job streams groups of one source");
    }
    if (fresh && fromSavepoint != null)
      throw new CliException("--fresh and --from-savepoint: choose one way to start");
    // One name for the job's checkpoints and consumer group: the groups joined by '+'.
    String jobName = String.join("+", gs.stream().map(FeatureGroup::name).toList());
    PayloadSource payloads = payloads(source, jobName);
    try (RedisOptions.Server server = redis.open(common.config())) {
      StreamJob job =
          StreamJob.of(common.warehouse(), gs, payloads, server.stores())
              .checkingGroups(common.definitions().groupsOf(source0))
              .withOutOfOrderness(Durations.parse(outOfOrderness))
              .withIdleness(Durations.parse(idleness))
              .withCheckpointInterval(Durations.parse(checkpointInterval));
      if (noColdPath) job = job.withoutColdPath();
      var env = common.env();
      String dir = checkpointDir(env.getConfiguration(), jobName);
      job = job.withCheckpointDir(dir);
      RetainedState state = RetainedState.in(dir);
      // flink run -s PATH: Flink restores it; the stream's own choice would be overridden.
      String givenToFlink =
          env.getConfiguration()
              .getOptional(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH)
              .orElse(null);
      java.time.Instant now = java.time.Instant.now();
      RetainedState.Start start =
          givenToFlink != null
              ? state.fromSavepoint(job, givenToFlink, true, now)
              : fromSavepoint != null
                  ? state.fromSavepoint(job, fromSavepoint, false, now)
                  : fresh ? state.fresh(job, now) : state.resumeOrBootstrap(job, now);
      System.err.println(jobName + ": " + start.message());
      StreamJob.Result r = start.job().run(env);
      if (json) {
        System.out.println(Json.line(r));
      } else if (r.detached()) {
        System.out.printf(
            "submitted the stream of %s from %s as job %s; it runs on the cluster (dashboard, flink"
                + " list, flink stop --savepointPath)%n",
            r.group(), payloads.origin(), r.jobId());
      } else {
        System.out.printf(
            "streamed %,d events of %s for %s into Redis (%,d malformed, %,d late to janus.dead_letters; %,d repeated ids not computed again, %,d already in raw.%s not appended again; %,d rows valid later than now left to the next sync; %,d events of raw.%s replayed first) in %.1f s%n",
            r.events(),
            payloads.origin(),
            r.group(),
            r.malformed(),
            r.late(),
            r.duplicates(),
            r.alreadyStored(),
            source0,
            r.deferred(),
            r.replayed(),
            source0,
            r.millis() / 1000.0);
      }
    }
    return 0;
  }

  PayloadSource payloads(String spec, String groupName) {
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? spec : spec.substring(0, colon);
    String arg = colon < 0 ? "" : spec.substring(colon + 1);
    switch (kind) {
      case "file" -> {
        Path p = Path.of(arg);
        if (!Files.exists(p))
          throw new CliException("--source " + spec + ": " + p + " does not exist");
        return new FilePayloadSource(p);
      }
      case "generate" -> {
        long n;
        try {
          n = Long.parseLong(arg);
        } catch (NumberFormatException e) {
          throw new CliException(
              "--source " + spec + ": expected generate:N with N a whole number");
        }
        return SampleEvents.find()
            .source(
                new SampleSettings(
                    n,
                    1,
                    LocalDate.now(ZoneOffset.UTC),
                    7,
                    20_000,
                    2_000,
                    0.001,
                    java.time.Instant.now()));
      }
      case "kafka" -> {
        if (arg.isBlank()) throw new CliException("--source " + spec + ": expected kafka:TOPIC");
        KafkaPayloadSource.StartOffsets start;
        try {
          start = KafkaPayloadSource.StartOffsets.parse(startOffsets);
        } catch (IllegalArgumentException e) {
          throw new CliException("--start-offsets: " + e.getMessage());
        }
        JanusConfig.Kafka configured = common.config().kafka();
        String where = common.config == null ? "config" : common.config.toString();
        KafkaPayloadSource source =
            new KafkaPayloadSource(
                kafka != null
                    ? kafka
                    : configured.bootstrapServers() != null
                        ? configured.bootstrapServers()
                        : "localhost:9092",
                arg,
                consumerGroup == null ? "janus-" + groupName : consumerGroup,
                start,
                bounded,
                KafkaSettings.consumerProperties(configured, where));
        try {
          source
              .probe(java.time.Duration.ofSeconds(20))
              .ifPresent(w -> System.err.println("warning: " + w));
        } catch (IllegalStateException refused) {
          throw new CliException(refused.getMessage());
        }
        return source;
      }
      default ->
          throw new CliException(
              "--source " + spec + ": expected kafka:TOPIC, file:PATH or generate:N");
    }
  }
}
