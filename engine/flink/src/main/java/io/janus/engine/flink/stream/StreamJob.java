package io.janus.engine.flink.stream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.event.Event;
import io.janus.engine.core.event.EventJson;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.flink.compute.Accumulators;
import io.janus.engine.flink.compute.FeaturePipeline;
import io.janus.engine.flink.compute.FeatureProcessFunction;
import io.janus.engine.flink.ingest.ParseEvents;
import io.janus.engine.flink.sink.IcebergAppend;
import io.janus.engine.flink.source.PayloadEventTime;
import io.janus.engine.flink.source.PayloadSource;
import io.janus.engine.iceberg.DeadLetters;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.RawEvents;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.engine.online.OnlineRowEncoder;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.sink.OnlineSink;
import io.janus.monitoring.MetricNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The streaming hot path of one or more groups of a source: payloads → parse (malformed to dead
 * letters) → event-time watermarks → late events to dead letters → for each group, the same
 * compiled pipeline as the backfill, in STREAMING mode (which counts each event id once per key) →
 * guarded upserts into Redis. Every valid event whose id the raw table does not hold yet also goes
 * to the raw Iceberg table (the cold path, committed on checkpoints; {@link NotYetStored}), so a
 * later backfill recomputes from what streaming saw. Parsing and the cold path run once however
 * many groups the job computes. Bounded sources end the job after the final watermark, so every
 * pending expiry fires.
 */
public final class StreamJob {
  static final String LATE = "janus-events-late";

  private final Warehouse warehouse;
  private final List<FeatureGroup> groups;
  private final PayloadSource source;
  private final OnlineStoreFactory stores;
  // Options: set only by the with… methods, each on a fresh copy, so a StreamJob never changes.
  private Duration outOfOrderness = Duration.ofMinutes(2);
  private Duration idleness = Duration.ofMinutes(1);
  private Duration checkpointInterval = Duration.ofSeconds(10);
  private String checkpointDir;
  private boolean coldPath = true;
  private String runId = UUID.randomUUID().toString();
  private Duration bufferTimeout = Duration.ofMillis(10);
  private List<FeatureGroup> checked;
  private int storedIdDays = 8;
  private Duration aheadOfClock = OnlineRowEncoder.AHEAD_OF_CLOCK;
  private java.time.Instant bootstrapAsOf;
  private String restoreFrom;

  private StreamJob(
      Warehouse warehouse,
      List<FeatureGroup> groups,
      PayloadSource source,
      OnlineStoreFactory stores) {
    if (groups.isEmpty()) throw new IllegalArgumentException("a stream needs at least one group");
    sameSource(groups, groups.get(0).source());
    this.warehouse = warehouse;
    this.groups = List.copyOf(groups);
    this.source = source;
    this.stores = stores;
    this.checked = this.groups;
  }

  private static void sameSource(List<FeatureGroup> groups, SourceDefinition source) {
    for (FeatureGroup g : groups) {
      if (!g.source().name().equals(source.name()))
        throw new IllegalArgumentException(
            "group " + g.name() + " reads source " + g.source().name() + ", not " + source.name());
    }
  }

  /**
   * A stream of {@code group} from {@code source} into the store of {@code stores}, with the cold
   * path on: events may be 2 min out of order, a silent split stops holding the watermark after 1
   * min, checkpoints every 10 s into the cluster's configured storage.
   */
  public static StreamJob of(
      Warehouse warehouse, FeatureGroup group, PayloadSource source, OnlineStoreFactory stores) {
    return new StreamJob(warehouse, List.of(group), source, stores);
  }

  /**
   * A stream of several {@code groups} of one source in one job: the payloads are read and parsed
   * once, the cold path is written once, and each group has its own pipeline and online sink.
   *
   * @throws IllegalArgumentException if the groups do not all read the same source
   */
  public static StreamJob of(
      Warehouse warehouse,
      List<FeatureGroup> groups,
      PayloadSource source,
      OnlineStoreFactory stores) {
    return new StreamJob(warehouse, groups, source, stores);
  }

  /** The groups the job computes. */
  public List<FeatureGroup> groups() {
    return groups;
  }

  /** Whether the job appends the events it reads to the raw table. */
  public boolean coldPath() {
    return coldPath;
  }

  /** Where the job's events come from ({@code file:…}, {@code kafka:…}). */
  public String origin() {
    return source.origin();
  }

  /** A copy with {@code change} applied: how every with… method keeps this one unchanged. */
  private StreamJob with(java.util.function.Consumer<StreamJob> change) {
    StreamJob c = copy();
    change.accept(c);
    return c;
  }

  private StreamJob copy() {
    StreamJob c = new StreamJob(warehouse, groups, source, stores);
    c.outOfOrderness = outOfOrderness;
    c.idleness = idleness;
    c.checkpointInterval = checkpointInterval;
    c.checkpointDir = checkpointDir;
    c.coldPath = coldPath;
    c.runId = runId;
    c.bufferTimeout = bufferTimeout;
    c.checked = checked;
    c.storedIdDays = storedIdDays;
    c.aheadOfClock = aheadOfClock;
    c.bootstrapAsOf = bootstrapAsOf;
    c.restoreFrom = restoreFrom;
    return c;
  }

  /**
   * Checks every event against the expressions of {@code groups} (every group of the source, as
   * ingest does), not only this job's group: the cold path then stores exactly the events an ingest
   * of the same payloads would, and any group's backfill can compute them.
   */
  public StreamJob checkingGroups(List<FeatureGroup> others) {
    List<FeatureGroup> all = new java.util.ArrayList<>(others);
    for (FeatureGroup g : groups) {
      if (all.stream().noneMatch(o -> o.name().equals(g.name()))) all.add(g);
    }
    sameSource(all, groups.get(0).source());
    return with(c -> c.checked = List.copyOf(all));
  }

  /**
   * How many day partitions of the raw table's event ids each cold-path subtask keeps in memory to
   * refuse ids already stored (default 8, about 21 bytes per id; an evicted day is read again when
   * an event of it arrives).
   */
  public StreamJob withStoredIdDays(int days) {
    if (days < 1) throw new IllegalArgumentException("stored-id days must be at least 1: " + days);
    return with(c -> c.storedIdDays = days);
  }

  /**
   * How far ahead of the wall clock a row may be valid and still be written online at once (default
   * {@link OnlineRowEncoder#AHEAD_OF_CLOCK}). Later rows wait in the job until the clock reaches
   * them; at the end of a bounded source, those still waiting are left to the next sync.
   */
  public StreamJob withAheadOfClock(Duration d) {
    if (d.isNegative()) throw new IllegalArgumentException("ahead of clock must not be negative");
    return with(c -> c.aheadOfClock = d);
  }

  /** How late an event may be and still count. */
  public StreamJob withOutOfOrderness(Duration d) {
    return with(c -> c.outOfOrderness = d);
  }

  /** After how long a silent source split stops holding the watermark back. */
  public StreamJob withIdleness(Duration d) {
    return with(c -> c.idleness = java.util.Objects.requireNonNull(d, "idleness"));
  }

  /** The same stream where a silent split holds the watermark back for as long as it is silent. */
  public StreamJob withoutIdleness() {
    return with(c -> c.idleness = null);
  }

  /** Time between checkpoints (the cold path and the Kafka offsets commit on checkpoints). */
  public StreamJob withCheckpointInterval(Duration d) {
    return with(c -> c.checkpointInterval = d);
  }

  /**
   * Where checkpoints go. Without one, the cluster's configured checkpoint storage is used (on a
   * local MiniCluster that is the JobManager's memory, limited to 5 MB of state).
   */
  public StreamJob withCheckpointDir(Path dir) {
    return withCheckpointDir(dir.toAbsolutePath().toUri().toString());
  }

  /** Checkpoint directory as a URI ({@code s3://bucket/path}, {@code file:///…}). */
  public StreamJob withCheckpointDir(String uri) {
    return with(c -> c.checkpointDir = uri);
  }

  /** The same stream without the cold path: consumed events are not appended to the raw table. */
  public StreamJob withoutColdPath() {
    return with(c -> c.coldPath = false);
  }

  /** Longest time a record waits in a network buffer between tasks (default 10 ms). */
  public StreamJob withBufferTimeout(Duration d) {
    return with(c -> c.bufferTimeout = d);
  }

  /**
   * Starts with state equal to the batch's instead of empty: before the live events count, the job
   * replays {@code raw.<source>} from {@link #historyFrom} (all of it when a group has lifetime
   * features), read in event-time order. Of the rows valid before {@code asOf}, only each key's
   * latest is written online, replacing whatever the store holds up to {@code asOf}, so the first
   * values the job writes are already the batch's. Live events the history already holds count once
   * (their ids are pending together). A job restored with {@link #withRestore} passes the {@code
   * asOf} of the run that bootstrapped it: the restored sources carry on where they were.
   */
  public StreamJob withBootstrap(java.time.Instant asOf) {
    return with(c -> c.bootstrapAsOf = java.util.Objects.requireNonNull(asOf, "asOf"));
  }

  /**
   * Restores the job's state from a retained checkpoint or a savepoint ({@code _metadata}'s dir).
   */
  public StreamJob withRestore(String checkpointOrSavepoint) {
    return with(
        c -> c.restoreFrom = java.util.Objects.requireNonNull(checkpointOrSavepoint, "path"));
  }

  /**
   * Where a bootstrap as of {@code asOf} starts reading history: twice the longest window and hop
   * before it, so every row valid from one window before {@code asOf} on (each key's current row
   * included) has all of its events; {@link Long#MIN_VALUE} when a group has lifetime features.
   */
  public static long historyFrom(List<FeatureGroup> groups, java.time.Instant asOf) {
    long span = 0;
    for (FeatureGroup g : groups) {
      if (g.hasLifetimeFeatures()) return Long.MIN_VALUE;
      GroupPlan plan = GroupPlan.of(g);
      span = Math.max(span, plan.maxWindow() + plan.hopMillis());
    }
    return asOf.toEpochMilli() - 2 * span;
  }

  /**
   * Whether a bootstrap as of {@code asOf} would replay anything: the raw table has files from
   * {@link #historyFrom} on (a first start on an empty table needs no bootstrap).
   */
  public boolean hasHistory(java.time.Instant asOf) {
    RawEvents raw = new RawEvents(groups.get(0).source());
    org.apache.iceberg.TableScan scan = raw.createOrLoad(warehouse).newScan();
    long from = historyFrom(groups, asOf);
    if (from != Long.MIN_VALUE)
      scan =
          scan.filter(
              org.apache.iceberg.expressions.Expressions.greaterThanOrEqual(
                  raw.eventTimeColumn(), from * 1000));
    try (var files = scan.planFiles()) {
      return files.iterator().hasNext();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The run id recorded in lineage and dead letters (default a new UUID). */
  public StreamJob withRunId(String id) {
    return with(c -> c.runId = id);
  }

  /**
   * What a (bounded) streaming run did. Serialized by Jackson as the {@code janus stream --json}
   * line.
   *
   * @param runId the run
   * @param groups the feature groups
   * @param source where the events came from ({@code file:…}, {@code kafka:…})
   * @param events valid events read (repeats included)
   * @param duplicates events whose id was still pending for their key when they came again, not
   *     computed again (the most any of the groups ignored; an event that touches no feature of a
   *     group is not counted there)
   * @param alreadyStored events whose id the raw table already held, not appended again
   * @param malformed payloads sent to dead letters
   * @param late events behind the watermark, sent to dead letters (still appended to the raw table)
   * @param deferred feature rows valid later than the clock when a bounded source ended, not
   *     written online (the next sync writes them when they are due), summed over the groups
   * @param replayed events of the raw table replayed by a bootstrap (in this run)
   * @param restoredFrom the checkpoint or savepoint the job's state came from, else null
   * @param jobId the Flink job's id
   * @param detached true when the job was submitted detached ({@code flink run -d}): it runs on,
   *     and the counts are 0, the client never learning them
   * @param millis wall time
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonPropertyOrder({
    "run_id",
    "group",
    "groups",
    "source",
    "events",
    "duplicates",
    "already_stored",
    "malformed",
    "late",
    "deferred",
    "replayed",
    "restored_from",
    "job_id",
    "detached",
    "seconds"
  })
  public record Result(
      String runId,
      List<String> groups,
      String source,
      long events,
      long duplicates,
      long alreadyStored,
      long malformed,
      long late,
      long deferred,
      long replayed,
      String restoredFrom,
      String jobId,
      boolean detached,
      @JsonIgnore long millis) {

    /** The groups' names joined by commas (one name for a single-group job). */
    @JsonProperty("group")
    public String group() {
      return String.join(",", groups);
    }

    @JsonProperty("seconds")
    double seconds() {
      return millis / 1000.0;
    }
  }

  /** Configures the environment (STREAMING, checkpointing), builds the graph and runs it. */
  public Result run(StreamExecutionEnvironment env) throws Exception {
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.enableCheckpointing(checkpointInterval.toMillis());
    // Network buffers between tasks are sent when full or after this long: Flink's 100 ms default
    // alone would eat most of a freshness budget of 250 ms.
    env.setBufferTimeout(bufferTimeout.toMillis());
    Configuration c = new Configuration();
    // Kept when the job is cancelled or fails (or its process dies), so a restart resumes.
    c.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (checkpointDir != null) c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
    if (restoreFrom != null)
      c.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
    env.configure(c);
    String restored =
        env.getConfiguration()
            .getOptional(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH)
            .orElse(null);
    build(env);
    long t0 = System.currentTimeMillis();
    List<String> names = groups.stream().map(FeatureGroup::name).toList();
    JobExecutionResult r =
        env.execute("janus stream " + String.join(",", names) + " from " + source.origin());
    return new Result(
        runId,
        names,
        source.origin(),
        Accumulators.count(r, ParseEvents.EVENTS),
        groups.stream()
            .mapToLong(
                g -> Accumulators.count(r, FeatureProcessFunction.DUPLICATES_PREFIX + g.name()))
            .max()
            .orElse(0),
        Accumulators.count(r, NotYetStored.ALREADY_STORED),
        Accumulators.count(r, ParseEvents.MALFORMED),
        Accumulators.count(r, LATE),
        groups.stream()
            .mapToLong(g -> Accumulators.count(r, HoldUntilValid.DEFERRED_PREFIX + g.name()))
            .sum(),
        Accumulators.count(r, ReplayHistory.REPLAYED),
        restored,
        r.getJobID().toString(),
        !r.isJobExecutionResult(),
        System.currentTimeMillis() - t0);
  }

  /** Adds the job's operators to {@code env} (for tests and for callers that run it themselves). */
  public void build(StreamExecutionEnvironment env) {
    SourceDefinition src = groups.get(0).source();
    RawEvents raw = new RawEvents(src);
    DeadLetters.createOrLoad(warehouse);
    raw.createOrLoad(warehouse);
    // The raw table and dead letters hold events of the source, not of one group.
    Map<String, String> props =
        Lineage.capture(runId, "stream", null, null, Path.of("")).properties();

    // Kafka: watermarks per partition, inside the source (a reader with several partitions would
    // otherwise let the one ahead make the others' events late). Other sources: after parsing.
    boolean perSplit = source.watermarksPerSplit();
    DataStream<String> payloads =
        perSplit
            ? source.payloads(env, watermarks(new PayloadEventTime(src)))
            : source.payloads(env);
    if (payloads instanceof SingleOutputStreamOperator<String> op) {
      // A stable uid, so its position survives in checkpoints and savepoints; one per kind of
      // source (file:, kafka:, …), whose states differ.
      String origin = source.origin();
      op.uid("payloads-" + origin.substring(0, Math.max(0, origin.indexOf(':'))));
    }
    SingleOutputStreamOperator<Event> parsed =
        payloads
            .process(new ParseEvents(src, source.origin(), runId, checked))
            .returns(TypeInformation.of(Event.class))
            .name("parse " + src.name())
            .uid("parse-" + src.name());
    DataStream<Event> timed =
        perSplit
            ? parsed
            : parsed
                .assignTimestampsAndWatermarks(watermarks((Event e, long t) -> e.ts))
                .name("event time")
                .uid("event-time");
    SingleOutputStreamOperator<Event> onTime =
        timed
            .process(new LateFilter(src, source.origin(), runId))
            .returns(TypeInformation.of(Event.class))
            .name("late events to dead letters")
            .uid("late-filter");

    DataStream<RowData> deadLetters =
        parsed
            .getSideOutput(ParseEvents.DEAD_LETTERS)
            .union(onTime.getSideOutput(LateFilter.LATE_LETTERS));
    // Always in the graph (empty without a bootstrap), so every run's graph restores every other's.
    DataStream<Event> replayed = history(env, raw);
    for (FeatureGroup group : groups) {
      RowType rowType = FeatureTables.rowType(group.schema());
      FeaturePipeline pipeline =
          FeaturePipeline.of(GroupPlan.of(group), rowType).withHistory(replayed);
      // Held rows go out by the clock once the watermark is an allowed lateness (plus a second)
      // late to reach the bootstrap's time: a quiet source then still gets its values online.
      if (bootstrapAsOf != null)
        pipeline =
            pipeline.collapsingBefore(
                bootstrapAsOf, outOfOrderness.plus(java.time.Duration.ofSeconds(1)));
      SingleOutputStreamOperator<RowData> rows = pipeline.streaming(onTime);
      OnlineRowEncoder encoder = new OnlineRowEncoder(group, rowType.getFieldNames());
      rows.transform(
              "hold rows valid later than the clock " + group.name(),
              InternalTypeInfo.of(rowType),
              new HoldUntilValid(group.name(), rowType, encoder, aheadOfClock))
          .uid("hold-until-valid-" + group.name())
          .sinkTo(
              OnlineSink.builder(
                      stores,
                      bootstrapAsOf == null
                          ? encoder
                          : new ReplacingBefore(encoder, bootstrapAsOf.toEpochMilli()))
                  .measureFreshness()
                  .build())
          .name("online store " + group.name() + " (" + stores + ")")
          .uid("online-store-" + group.name());
      deadLetters = deadLetters.union(lateAtCompute(rows, src.name(), group.name()));
    }

    if (coldPath) {
      // Every valid event, late ones included (lateness is recorded as a dead letter, and the next
      // backfill over the raw table counts the event), each id once in the table.
      int idField = raw.rowType().getFieldNames().indexOf(raw.eventIdColumn());
      DataStream<RowData> newRows =
          timed
              .map(raw::toRow)
              .returns(InternalTypeInfo.of(raw.rowType()))
              .name("event to raw row")
              .keyBy(row -> row.getString(idField).toString(), Types.STRING)
              .process(
                  new NotYetStored(
                      warehouse.tableLoader(RawEvents.id(src)),
                      raw,
                      runId,
                      storedIdDays,
                      checkpointInterval))
              .returns(InternalTypeInfo.of(raw.rowType()))
              .name("ids not yet in " + RawEvents.id(src))
              .uid("not-yet-stored");
      IcebergAppend.to(warehouse.tableLoader(RawEvents.id(src)), "janus-stream-raw-" + src.name())
          .withSnapshotProperties(props)
          .append(newRows, "iceberg raw writer (cold path)");
    }
    IcebergAppend.to(warehouse.tableLoader(DeadLetters.ID), "janus-stream-dead-" + src.name())
        .withSnapshotProperties(props)
        .withParallelism(1)
        .append(deadLetters, "iceberg dead-letter writer");
  }

  /**
   * The raw table's events a bootstrap replays (none without one), in event-time order: splits are
   * read by their smallest event time, which each reader announces as its watermark.
   */
  private DataStream<Event> history(StreamExecutionEnvironment env, RawEvents raw) {
    String col = raw.eventTimeColumn();
    long from = bootstrapAsOf == null ? Long.MAX_VALUE : historyFrom(groups, bootstrapAsOf);
    List<org.apache.iceberg.expressions.Expression> filters =
        bootstrapAsOf == null
            ? List.of(org.apache.iceberg.expressions.Expressions.alwaysFalse())
            : from == Long.MIN_VALUE
                ? List.of()
                : List.of(
                    org.apache.iceberg.expressions.Expressions.greaterThanOrEqual(
                        col, from * 1000));
    org.apache.iceberg.flink.source.IcebergSource<RowData> src =
        org.apache.iceberg.flink.source.IcebergSource.forRowData()
            .tableLoader(warehouse.tableLoader(RawEvents.id(groups.get(0).source())))
            .filters(filters)
            .watermarkColumn(col)
            .build();
    return env.fromSource(
            src,
            WatermarkStrategy.noWatermarks(),
            "history of " + RawEvents.id(groups.get(0).source()) + " (bootstrap)",
            InternalTypeInfo.of(raw.rowType()))
        .uid("bootstrap-history")
        .transform("replayed events", TypeInformation.of(Event.class), new ReplayHistory(raw, from))
        .uid("replay-history");
  }

  /** Events a group's pipeline found behind its own timers, as dead letters. */
  private DataStream<RowData> lateAtCompute(
      SingleOutputStreamOperator<RowData> rows, String sourceName, String groupName) {
    String origin = source.origin();
    String run = runId;
    return rows.getSideOutput(FeatureProcessFunction.LATE)
        .map(
            c ->
                DeadLetters.row(
                    sourceName,
                    origin,
                    "late at compute (group " + groupName + ", key " + c.key + ")",
                    null,
                    System.currentTimeMillis(),
                    run))
        .returns(InternalTypeInfo.of(DeadLetters.rowType()))
        .name("late at compute " + groupName);
  }

  /** Bounded out-of-orderness and, when set, idleness, with event times from {@code eventTime}. */
  private <T> WatermarkStrategy<T> watermarks(SerializableTimestampAssigner<T> eventTime) {
    WatermarkStrategy<T> w =
        WatermarkStrategy.<T>forBoundedOutOfOrderness(outOfOrderness)
            .withTimestampAssigner(eventTime);
    return idleness == null ? w : w.withIdleness(idleness);
  }

  /**
   * Events whose time the watermark has already passed (later than the allowed out-of-orderness) go
   * to dead letters, counted; the next backfill covers them.
   */
  static final class LateFilter extends ProcessFunction<Event, Event> {
    static final OutputTag<RowData> LATE_LETTERS =
        new OutputTag<>("late-events", InternalTypeInfo.of(DeadLetters.rowType()));
    private final SourceDefinition source;
    private final String origin;
    private final String runId;
    private transient LongCounter late;
    private transient Counter lateMetric;

    LateFilter(SourceDefinition source, String origin, String runId) {
      this.source = source;
      this.origin = origin;
      this.runId = runId;
    }

    @Override
    public void open(OpenContext ctx) {
      late = getRuntimeContext().getLongCounter(LATE);
      lateMetric =
          getRuntimeContext()
              .getMetricGroup()
              .addGroup(MetricNames.GROUP)
              .counter(MetricNames.EVENTS_LATE);
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Event> out) {
      long watermark = ctx.timerService().currentWatermark();
      if (e.ts <= watermark) {
        late.add(1);
        lateMetric.inc();
        ctx.output(
            LATE_LETTERS,
            DeadLetters.row(
                source.name(),
                origin,
                "late: event time "
                    + java.time.Instant.ofEpochMilli(e.ts)
                    + " is behind the watermark "
                    + java.time.Instant.ofEpochMilli(watermark),
                EventJson.toJson(source, e),
                System.currentTimeMillis(),
                runId));
      } else {
        out.collect(e);
      }
    }
  }
}
