package io.janus.jobs.cli;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.redis.RedisOnlineStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code janus online get}: a key's current online values. */
@Command(
    name = "online",
    description = "Read the online store.",
    subcommands = {OnlineCommand.Get.class})
public final class OnlineCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand (try: janus online get --group G --key K)");
  }

  /** Prints the features, valid_from and staleness of one key. */
  @Command(name = "get", description = "Print a key's online features, valid_from and staleness.")
  public static final class Get implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin RedisOptions redis;

    @Option(names = "--group", required = true, description = "Feature group.")
    String group;

    @Option(names = "--key", required = true, description = "Entity key (for several: k1,k2).")
    String key;

    @Option(
        names = "--json",
        description = "One JSON object: entity keys, valid_from, every feature.")
    boolean json;

    @Override
    public Integer call() {
      FeatureGroup g = common.group(group);
      try (RedisOptions.Server server = redis.open(common.config());
          RedisOnlineStore store = new RedisOnlineStore(server.uri())) {
        OnlineReader.Result r = new OnlineReader(store).get(g, key);
        if (!r.found()) {
          if (json) System.out.println("null");
          else
            System.out.println(
                "no online value for "
                    + g.name()
                    + " key "
                    + key
                    + " (never written, or expired after the "
                    + g.ttl()
                    + " TTL)");
          return 1;
        }
        Instant now = Instant.now();
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          String[] parts = g.entity().size() == 1 ? new String[] {key} : key.split(",");
          for (int i = 0; i < g.entity().size(); i++) m.put(g.entity().get(i), parts[i]);
          m.put("valid_from", r.validFrom());
          m.putAll(r.features());
          m.put("staleness_seconds", r.staleness(now).toMillis() / 1000.0);
          System.out.println(Json.line(m));
        } else {
          java.time.Duration age = r.staleness(now);
          String when =
              age.isNegative()
                  ? "in "
                      + human(age.negated())
                      + ": an expiry already computed from the stream's final watermark"
                  : human(age) + " ago";
          System.out.printf("%s %s valid from %s (%s)%n", g.name(), key, r.validFrom(), when);
          r.features().forEach((k, v) -> System.out.printf("  %-24s %s%n", k, v));
        }
        return 0;
      }
    }

    private static String human(java.time.Duration d) {
      long s = d.toSeconds();
      return s >= 3600
          ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
          : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
  }
}
