package io.janus.local.bench;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.event.EventParser;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.schema.FieldType;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.backfill.BackfillResult;
import io.janus.engine.flink.compute.FeatureRows;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.flink.source.EventSource;
import io.janus.engine.flink.source.IcebergEventSource;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.features.generate.ClickstreamGenerator;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus bench backfill}: the backfill of a shipped group as {@code janus backfill} runs it
 * (read {@code raw.<source>}, compute, write an audit branch, audit, publish) over N events
 * ingested beforehand, against two baselines over the same raw range in the same JVM: a plain Flink
 * keyed count, and an I/O floor that writes as many rows of the feature table's schema with no
 * computation. The same backfill from in-memory events is a second line. With a catalog configured
 * ({@code --config}), the in-memory backfill runs on it too, next to the embedded catalog.
 */
@Command(
    name = "backfill",
    description =
        "Backfill throughput from the raw table (read + compute + branch write + audit + publish)"
            + " vs a keyed count and an I/O floor over the same range.")
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
    LocalDate end = start.plusDays(days - 1);
    long t0 = System.nanoTime();
    List<Event> evs = generate(g, start);
    double genSeconds = (System.nanoTime() - t0) / 1e9;
    long n = evs.size();
    InMemoryEventSource memory = new InMemoryEventSource(evs);
    evs = null; // held by the source until released, so that the raw-table runs have the heap
    Path dir =
        Files.createDirectories(common.config().workdir().resolve("bench"))
            .resolve("backfill-" + System.currentTimeMillis());
    Warehouse local = Warehouse.local(dir.resolve("warehouse"));
    Map<String, Object> m = new LinkedHashMap<>();
    Run configured = null;
    Run again = null;
    Run inMemory;
    try {
      // The raw table as `janus ingest` leaves it: every event of the range in raw.<source>.
      long r0 = System.nanoTime();
      writeRaw(local, g, memory);
      double rawWriteSeconds = (System.nanoTime() - r0) / 1e9;
      // The in-memory path first: the second line, and the JVM's warm-up (JIT, caches), so the
      // raw-table runs and their baselines after it all run warm.
      inMemory = run(local, g.renamed(g.name() + "_in_memory"), memory, start, dir);
      if (!common.config().catalog().isEmpty()) {
        // The configured catalog (REST, JDBC, … on object storage), on the in-memory path (its
        // raw.<source> is the users' own, not the bench's): a group name of its own, its table
        // dropped (with its files) afterwards. Then the embedded catalog once more, so that the
        // two compared runs are both warm.
        long stamp = System.currentTimeMillis() / 1000;
        FeatureGroup bench = g.renamed(g.name() + "_bench_" + stamp);
        Warehouse shared = common.warehouse();
        try {
          configured = run(shared, bench, memory, start, dir);
        } finally {
          ConfiguredCatalog.drop(shared, FeatureTables.id(bench));
        }
        again = run(local, g.renamed(g.name() + "_again_" + stamp), memory, start, dir);
      }
      m.put("group", g.name());
      m.put("path", "raw-table");
      m.put("events", n);
      m.put("days", days);
      m.put("parallelism", env().getParallelism());
      m.put("generate_seconds", round(genSeconds));
      m.put("raw_write_seconds", round(rawWriteSeconds));
    } finally {
      memory.release();
    }
    // The in-memory events are garbage now: collect them before the heap is watched.
    System.gc();

    // The real path, exactly as `janus backfill` runs it: the raw table read from the longest
    // window before the range (with the key-marker pass over older history), compute, the
    // audit branch, audit, publish. Its two baselines read the same range of the same table.
    // The baselines read the columns the backfill reads (the group's fields), no more.
    EventSource raw =
        new IcebergEventSource(local, g.source()).reading(GroupPlan.of(g).sourceFields());
    long readFrom = Backfill.readFrom(g, start);
    long endMs = end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    double baselineSeconds = keyedCount(g, raw, readFrom, endMs);
    LiveHeap heap = LiveHeap.start();
    Run real;
    try {
      real = run(local, g, raw, start, dir);
    } finally {
      heap.stop();
    }
    BackfillResult r = real.result();
    double floorSeconds = ioFloor(local, g, raw, readFrom, endMs, r.rowsWritten() / (double) n);

    double eps = n / real.seconds();
    double baseEps = n / baselineSeconds;
    double floorEps = n / floorSeconds;
    m.put("rows_written", r.rowsWritten());
    m.put("published", r.published());
    m.put("backfill_seconds", round(real.seconds()));
    m.put("compute_write_seconds", round(r.computeMillis() / 1000.0));
    m.put("baseline_seconds", round(baselineSeconds));
    m.put("io_floor_seconds", round(floorSeconds));
    m.put("events_per_second", Math.round(eps));
    m.put("compute_write_events_per_second", Math.round(n / (r.computeMillis() / 1000.0)));
    m.put("baseline_events_per_second", Math.round(baseEps));
    m.put("ratio", round(eps / baseEps));
    m.put("io_floor_events_per_second", Math.round(floorEps));
    m.put("io_floor_ratio", round(eps / floorEps));
    m.put("heap_after_gc_peak_mb", heap.peakMb());
    m.put("in_memory_backfill_seconds", round(inMemory.seconds()));
    m.put("in_memory_events_per_second", Math.round(n / inMemory.seconds()));
    m.put("in_memory_rows_written", inMemory.result().rowsWritten());
    if (configured != null) {
      m.put("configured_catalog", ConfiguredCatalog.describe(common.config().catalog()));
      m.put("configured_path", "in-memory");
      m.put("configured_published", configured.result().published());
      m.put("configured_backfill_seconds", round(configured.seconds()));
      m.put(
          "configured_compute_write_seconds", round(configured.result().computeMillis() / 1000.0));
      m.put("configured_events_per_second", Math.round(n / configured.seconds()));
      m.put("embedded_again_backfill_seconds", round(again.seconds()));
      m.put("embedded_again_events_per_second", Math.round(n / again.seconds()));
      m.put("configured_vs_embedded", round(again.seconds() / configured.seconds()));
    }
    if (json) {
      System.out.println(Json.line(m));
    } else {
      System.out.printf(
          "backfill bench: %s, %,d events over %d days in raw.%s, parallelism %d%n",
          g.name(), n, days, g.source().name(), env().getParallelism());
      line(
          "backfill from the raw table (read, compute, branch, audit, publish)", real.seconds(), n);
      System.out.printf(
          "    of which the Flink job (read + compute + write)      %6.1f s  (%,d rows; heap after"
              + " GC at most %,d MB)%n",
          r.computeMillis() / 1000.0, r.rowsWritten(), heap.peakMb());
      line("baseline: keyed count over the same raw range", baselineSeconds, n);
      line("I/O floor: the same range read, as many rows written", floorSeconds, n);
      System.out.printf(
          "  ratio to the keyed count %.2f, to the I/O floor %.2f%n",
          eps / baseEps, eps / floorEps);
      line("backfill from in-memory events", inMemory.seconds(), n);
      if (configured != null) {
        System.out.printf(
            "  on the configured catalog (%s), in-memory events%n", m.get("configured_catalog"));
        line("  backfill", configured.seconds(), n);
        line("on the embedded catalog again, warm", again.seconds(), n);
        System.out.printf(
            "  configured vs embedded (both warm)                     %6.2f%n",
            again.seconds() / configured.seconds());
      }
    }
    boolean published =
        r.published()
            && inMemory.result().published()
            && (configured == null
                || (configured.result().published() && again.result().published()));
    return published ? 0 : 1;
  }

  private static void line(String what, double seconds, long events) {
    System.out.printf("  %-54s %6.1f s  %,10.0f events/s%n", what, seconds, events / seconds);
  }

  /** Appends every event to {@code raw.<source>}, as ingest would (they are all new). */
  private void writeRaw(Warehouse warehouse, FeatureGroup g, InMemoryEventSource memory)
      throws Exception {
    RawEvents raw = new RawEvents(g.source());
    raw.createOrLoad(warehouse);
    StreamExecutionEnvironment env = env();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    IcebergAppend.to(warehouse.tableLoader(RawEvents.id(g.source())), "janus-bench-raw")
        .append(
            memory
                .events(env, Long.MIN_VALUE, Long.MAX_VALUE)
                .map(raw::toRow)
                .returns(InternalTypeInfo.of(raw.rowType()))
                .name("event to raw row"),
            "iceberg raw writer");
    env.execute("janus bench: raw." + g.source().name());
  }

  /** Seconds of a plain Flink BATCH keyed count (by the group's entity) over the events. */
  private double keyedCount(FeatureGroup g, EventSource source, long fromMs, long toMs)
      throws Exception {
    int keyIndex = g.source().indexOf(g.entity().get(0));
    StreamExecutionEnvironment env = env();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    source
        .events(env, fromMs, toMs)
        .map(e -> Tuple2.of(String.valueOf(e.values[keyIndex]), 1L))
        .returns(Types.TUPLE(Types.STRING, Types.LONG))
        .keyBy(t -> t.f0, Types.STRING)
        .sum(1)
        .sinkTo(new DiscardingSink<>());
    long b0 = System.nanoTime();
    env.execute("janus bench baseline keyed count");
    return (System.nanoTime() - b0) / 1e9;
  }

  /**
   * Seconds of the I/O floor: a Flink BATCH job that reads the same events and writes {@code
   * rowsPerEvent} rows per event (the backfill's own figure) of the feature table's schema and
   * partitioning to a table of its own, through the same Iceberg sink, with no feature computation.
   */
  private double ioFloor(
      Warehouse warehouse,
      FeatureGroup g,
      EventSource source,
      long fromMs,
      long toMs,
      double rowsPerEvent)
      throws Exception {
    FeatureGroup floor = g.renamed(g.name() + "_io_floor");
    Table table = FeatureTables.createOrLoad(warehouse, floor);
    StreamExecutionEnvironment env = env();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    IcebergAppend.to(warehouse.tableLoader(FeatureTables.id(floor)), "janus-bench-floor")
        .append(
            source
                .events(env, fromMs, toMs)
                .flatMap(new FloorRows(g, table, rowsPerEvent))
                .returns(InternalTypeInfo.of(FlinkSchemaUtil.convert(table.schema())))
                .name("event to feature-table rows"),
            "iceberg writer");
    long f0 = System.nanoTime();
    env.execute("janus bench I/O floor");
    return (System.nanoTime() - f0) / 1e9;
  }

  /**
   * Rows of the feature table's schema from events, without computing anything: the entity from the
   * event, valid_from its time, feature values from a counter; {@code rowsPerEvent} rows per event
   * on average.
   */
  private static final class FloorRows implements FlatMapFunction<Event, RowData> {
    private final FeatureRows rows;
    private final FieldType[] types;
    private final int[] entity;
    private final double rowsPerEvent;
    private long seen;

    FloorRows(FeatureGroup g, Table table, double rowsPerEvent) {
      GroupPlan plan = GroupPlan.of(g);
      this.rows =
          new FeatureRows(plan, table.schema().columns().stream().map(f -> f.name()).toList());
      this.types = plan.columnTypes();
      this.entity = g.entity().stream().mapToInt(e -> g.source().indexOf(e)).toArray();
      this.rowsPerEvent = rowsPerEvent;
    }

    @Override
    public void flatMap(Event e, Collector<RowData> out) {
      StringBuilder key = new StringBuilder();
      for (int i = 0; i < entity.length; i++) {
        if (i > 0) key.append(GroupPlan.KEY_SEPARATOR);
        key.append(e.values[entity[i]]);
      }
      long copies = (long) ((seen + 1) * rowsPerEvent) - (long) (seen * rowsPerEvent);
      seen++;
      for (long c = 0; c < copies; c++) {
        out.collect(
            rows.row(key.toString(), e.ts + c, FeatureTableFixture.values(types, seen + c, e.ts)));
      }
    }
  }

  /** A backfill's result and its wall time. */
  private record Run(BackfillResult result, double seconds) {}

  private Run run(
      Warehouse warehouse, FeatureGroup g, EventSource source, LocalDate start, Path dir)
      throws Exception {
    long w0 = System.nanoTime();
    BackfillResult r =
        Backfill.of(warehouse, g, source)
            .withRange(start, start.plusDays(days - 1))
            .withWorkingDir(Path.of(""))
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
