package io.janus.local.bench;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.event.EventParser;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.backfill.BackfillResult;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.Warehouse;
import io.janus.features.generate.ClickstreamGenerator;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench backfill}: the backfill pipeline of a shipped group (compute, Iceberg write to
 * an audit branch, audit, publish) on N in-memory events, against a plain Flink keyed count over
 * the same events in the same JVM as the baseline. With a catalog configured ({@code --config}),
 * the same backfill runs on it too, next to the embedded catalog, in the same run.
 */
@Command(
    name = "backfill",
    description =
        "Backfill throughput (compute + Iceberg branch write + audit + publish) vs a plain keyed count.")
public final class BackfillBench implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--events",
      defaultValue = "1000000",
      description = "Events to generate (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--days",
      defaultValue = "3",
      description = "Days the events span (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--group",
      defaultValue = "user_activity",
      description = "Shipped group to backfill (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--json", description = "Print the figures as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    FeatureGroup g = common.group(group);
    LocalDate start = LocalDate.parse("2024-01-01");
    long t0 = System.nanoTime();
    List<Event> evs = generate(g, start);
    double genSeconds = (System.nanoTime() - t0) / 1e9;
    int keyIndex = g.source().indexOf(g.entity().get(0));
    InMemoryEventSource source = new InMemoryEventSource(evs);
    try {
      // Baseline: the same source, keyed by the group's entity, counted.
      StreamExecutionEnvironment env = env();
      env.setRuntimeMode(RuntimeExecutionMode.BATCH);
      source
          .events(env, Long.MIN_VALUE, Long.MAX_VALUE)
          .map(e -> Tuple2.of(String.valueOf(e.values[keyIndex]), 1L))
          .returns(Types.TUPLE(Types.STRING, Types.LONG))
          .keyBy(t -> t.f0, Types.STRING)
          .sum(1)
          .sinkTo(new DiscardingSink<>());
      long b0 = System.nanoTime();
      env.execute("janus bench baseline keyed count");
      double baselineSeconds = (System.nanoTime() - b0) / 1e9;

      Path dir =
          Files.createDirectories(common.config().workdir().resolve("bench"))
              .resolve("backfill-" + System.currentTimeMillis());
      Run embedded = run(Warehouse.local(dir.resolve("warehouse")), g, source, start, dir);
      BackfillResult r = embedded.result();
      double backfillSeconds = embedded.seconds();

      double eps = evs.size() / backfillSeconds;
      double baseEps = evs.size() / baselineSeconds;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("group", g.name());
      m.put("events", evs.size());
      m.put("rows_written", r.rowsWritten());
      m.put("published", r.published());
      m.put("parallelism", env().getParallelism());
      m.put("generate_seconds", round(genSeconds));
      m.put("backfill_seconds", round(backfillSeconds));
      m.put("compute_write_seconds", round(r.computeMillis() / 1000.0));
      m.put("baseline_seconds", round(baselineSeconds));
      m.put("events_per_second", Math.round(eps));
      m.put(
          "compute_write_events_per_second", Math.round(evs.size() / (r.computeMillis() / 1000.0)));
      m.put("baseline_events_per_second", Math.round(baseEps));
      m.put("ratio", round(eps / baseEps));
      Run configured = null;
      Run again = null;
      if (!common.config().catalog().isEmpty()) {
        // The configured catalog (REST, JDBC, … on object storage), in the same run: a group
        // name of its own, its table dropped (with its files) afterwards. Then the embedded
        // catalog once more, so that the two compared runs are both warm (the first backfill of
        // a JVM is slower: JIT, caches).
        long stamp = System.currentTimeMillis() / 1000;
        FeatureGroup bench = g.renamed(g.name() + "_bench_" + stamp);
        Warehouse shared = common.warehouse();
        try {
          configured = run(shared, bench, source, start, dir);
        } finally {
          ConfiguredCatalog.drop(shared, FeatureTables.id(bench));
        }
        again =
            run(
                Warehouse.local(dir.resolve("warehouse")),
                g.renamed(g.name() + "_again_" + stamp),
                source,
                start,
                dir);
        m.put("configured_catalog", ConfiguredCatalog.describe(common.config().catalog()));
        m.put("configured_published", configured.result().published());
        m.put("configured_backfill_seconds", round(configured.seconds()));
        m.put(
            "configured_compute_write_seconds",
            round(configured.result().computeMillis() / 1000.0));
        m.put("configured_events_per_second", Math.round(evs.size() / configured.seconds()));
        m.put("embedded_again_backfill_seconds", round(again.seconds()));
        m.put("embedded_again_events_per_second", Math.round(evs.size() / again.seconds()));
        m.put("configured_vs_embedded", round(again.seconds() / configured.seconds()));
      }
      if (json) {
        System.out.println(Json.line(m));
      } else {
        System.out.printf(
            "backfill bench: %s, %,d events over %d days, parallelism %d%n",
            g.name(), evs.size(), days, env().getParallelism());
        System.out.printf(
            "  backfill (compute + branch write + audit + publish)  %6.1f s  %,10.0f events/s  (%,d rows)%n",
            backfillSeconds, eps, r.rowsWritten());
        System.out.printf(
            "    of which the Flink job (compute + write)           %6.1f s%n",
            r.computeMillis() / 1000.0);
        System.out.printf(
            "  baseline keyed count                                 %6.1f s  %,10.0f events/s%n",
            baselineSeconds, baseEps);
        System.out.printf(
            "  ratio                                                %6.2f%n", eps / baseEps);
        if (configured != null) {
          System.out.printf("  on the configured catalog (%s)%n", m.get("configured_catalog"));
          System.out.printf(
              "    backfill                                           %6.1f s  %,10.0f events/s%n",
              configured.seconds(), evs.size() / configured.seconds());
          System.out.printf(
              "    of which the Flink job (compute + write)           %6.1f s%n",
              configured.result().computeMillis() / 1000.0);
          System.out.printf(
              "  on the embedded catalog again, warm                  %6.1f s  %,10.0f events/s%n",
              again.seconds(), evs.size() / again.seconds());
          System.out.printf(
              "  configured vs embedded (both warm)                   %6.2f%n",
              again.seconds() / configured.seconds());
        }
      }
      boolean published =
          r.published()
              && (configured == null
                  || (configured.result().published() && again.result().published()));
      return published ? 0 : 1;
    } finally {
      source.release();
    }
  }

  /** A backfill's result and its wall time. */
  private record Run(BackfillResult result, double seconds) {}

  private Run run(
      Warehouse warehouse, FeatureGroup g, InMemoryEventSource source, LocalDate start, Path dir)
      throws Exception {
    long w0 = System.nanoTime();
    BackfillResult r =
        Backfill.of(warehouse, g, source)
            .withRange(start, start.plusDays(days - 1))
            .withReportDir(dir.resolve("reports"))
            .run(env());
    return new Run(r, (System.nanoTime() - w0) / 1e9);
  }

  private StreamExecutionEnvironment env() {
    return common.env();
  }

  private List<Event> generate(FeatureGroup g, LocalDate start) {
    ClickstreamGenerator gen =
        ClickstreamGenerator.builder()
            .events(events)
            .days(days)
            .start(start)
            .malformedRate(0)
            .build();
    EventParser parser = new EventParser(g.source());
    Map<String, String> strings = new HashMap<>();
    List<Event> out = new ArrayList<>((int) events);
    for (Iterator<String> it = gen.lines(); it.hasNext(); ) {
      EventParser.Result r = parser.parse(it.next());
      if (!r.ok()) continue;
      Object[] v = r.event().values;
      for (int i = 0; i < v.length; i++) {
        // Share repeated strings (users, products, cities) so millions of events fit the heap.
        if (v[i] instanceof String s && i != g.source().indexOf(g.source().eventId()))
          v[i] = strings.computeIfAbsent(s, x -> x);
      }
      out.add(r.event());
    }
    return out;
  }

  private static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }
}
