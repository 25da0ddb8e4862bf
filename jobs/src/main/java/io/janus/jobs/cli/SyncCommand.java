package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.sync.OnlineSync;
import io.janus.engine.flink.sync.SyncResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus sync}: pushes what changed in a group's published feature table into Redis. */
@Command(
    name = "sync",
    description =
        "Push what changed in a group's published feature table since the last sync into Redis (guarded writes).")
public final class SyncCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin RedisOptions redis;

  @Option(names = "--group", required = true, description = "Feature group.")
  String group;

  @Option(names = "--json", description = "Print the summary as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    FeatureGroup g = common.group(group);
    try (RedisOptions.Server server = redis.open(common.config())) {
      SyncResult r = OnlineSync.of(common.warehouse(), g, server.stores()).run(common.env());
      common.push(RunFigures.sync(r));
      if (json) {
        System.out.println(Json.line(r));
      } else {
        if (r.plan().warning() != null) System.out.println("warning: " + r.plan().warning());
        System.out.println(r.summary());
      }
      return 0;
    }
  }
}
