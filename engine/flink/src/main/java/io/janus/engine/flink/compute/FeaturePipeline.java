package io.janus.engine.flink.compute;

import io.janus.engine.core.event.Event;
import io.janus.engine.core.event.EventJson;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.Contribution;
import io.janus.engine.core.state.ContributionExtractor;
import io.janus.engine.flink.compute.internal.ContributionTypeInfo;
import io.janus.engine.iceberg.DeadLetters;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The compiler's output: one group as a Flink pipeline from events to feature-table change rows.
 * The same graph runs in BATCH and STREAMING; only the watermark strategy and the time-advance
 * policy of {@link FeatureProcessFunction} follow the mode.
 */
public final class FeaturePipeline {
  private final GroupPlan plan;
  private final RowType rowType;
  private final DataStream<Event> keyHistory;
  private final DataStream<Event> history;
  private final WatermarkStrategy<Contribution> watermarks;
  private final DeadLetterTarget deadLetters;
  private final long collapseBefore;
  private final long releaseAt;

  /** Where events that compute refuses go, as dead-letter rows, and what those rows record. */
  private record DeadLetterTarget(
      String origin, String runId, Consumer<DataStream<RowData>> sink) {}

  private FeaturePipeline(
      GroupPlan plan,
      RowType rowType,
      DataStream<Event> keyHistory,
      DataStream<Event> history,
      WatermarkStrategy<Contribution> watermarks,
      DeadLetterTarget deadLetters,
      long collapseBefore,
      long releaseAt) {
    this.plan = plan;
    this.rowType = rowType;
    this.keyHistory = keyHistory;
    this.history = history;
    this.watermarks = watermarks;
    this.deadLetters = deadLetters;
    this.collapseBefore = collapseBefore;
    this.releaseAt = releaseAt;
  }

  /**
   * The pipeline of a compiled group.
   *
   * @param plan the compiled group
   * @param rowType the Flink row type of the group's feature table (its actual columns, in order)
   * @return the pipeline, to configure further and then build with {@link #batch} or {@link
   *     #streaming}
   */
  public static FeaturePipeline of(GroupPlan plan, RowType rowType) {
    return new FeaturePipeline(
        plan, rowType, null, null, null, null, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /**
   * Adds key markers (see {@code EventSource.keysBefore}): events older than the read range that
   * contribute nothing but tell each key it has a history, so its first row in the range is not
   * written as a first row.
   */
  public FeaturePipeline withKeyHistory(DataStream<Event> markers) {
    return new FeaturePipeline(
        plan, rowType, markers, history, watermarks, deadLetters, collapseBefore, releaseAt);
  }

  /**
   * Adds events replayed from history (a stream's bootstrap) to the group's input: extracted on
   * their own side and joined with the events' contributions just before the key-by, so the events'
   * own extraction stays chained to whatever precedes it.
   */
  public FeaturePipeline withHistory(DataStream<Event> replayed) {
    return new FeaturePipeline(
        plan, rowType, keyHistory, replayed, watermarks, deadLetters, collapseBefore, releaseAt);
  }

  /**
   * Assigns event time with {@code strategy} after extraction. Without it, {@link #batch} uses the
   * events' times with no watermarks and {@link #streaming} keeps the timestamps and watermarks the
   * events already carry.
   */
  public FeaturePipeline withWatermarks(WatermarkStrategy<Contribution> strategy) {
    return new FeaturePipeline(
        plan, rowType, keyHistory, history, strategy, deadLetters, collapseBefore, releaseAt);
  }

  /**
   * Sends the events that compute refuses (an expression fails on them or gives a non-finite
   * number) to {@code sink} as {@link DeadLetters} rows, with their reason, {@code origin} and
   * {@code runId}. Without it they are only counted ({@link #REJECTED}) and logged.
   *
   * @param origin where the events were read (e.g. the raw table)
   * @param runId the run recorded in each dead letter
   * @param sink called once, while the graph is built, with the stream of dead-letter rows
   */
  public FeaturePipeline withDeadLetters(
      String origin, String runId, Consumer<DataStream<RowData>> sink) {
    return new FeaturePipeline(
        plan,
        rowType,
        keyHistory,
        history,
        watermarks,
        new DeadLetterTarget(origin, runId, sink),
        collapseBefore,
        releaseAt);
  }

  /**
   * In {@link #streaming}, emits of the rows valid before {@code time} only each key's latest, when
   * the watermark reaches {@code time}, or at the latest when the wall clock reaches {@code time +
   * patience}: a stream that first replays history writes each key's value as of {@code time} once
   * (see {@link FeatureProcessFunction}).
   */
  public FeaturePipeline collapsingBefore(java.time.Instant time, java.time.Duration patience) {
    return new FeaturePipeline(
        plan,
        rowType,
        keyHistory,
        history,
        watermarks,
        deadLetters,
        time.toEpochMilli(),
        time.plus(patience).toEpochMilli());
  }

  /**
   * Watermarks for STREAMING: events may be up to {@code outOfOrderness} late; idle splits stop
   * holding time back.
   */
  public static WatermarkStrategy<Contribution> streamingWatermarks(
      Duration outOfOrderness, Duration idleness) {
    WatermarkStrategy<Contribution> s =
        WatermarkStrategy.<Contribution>forBoundedOutOfOrderness(outOfOrderness)
            .withTimestampAssigner((c, t) -> c.ts);
    return idleness == null ? s : s.withIdleness(idleness);
  }

  /** Builds extract → keyBy(entity) → compute for a job in {@code RuntimeExecutionMode.BATCH}. */
  public SingleOutputStreamOperator<RowData> batch(DataStream<Event> events) {
    WatermarkStrategy<Contribution> timestamps =
        watermarks != null
            ? watermarks
            : WatermarkStrategy.<Contribution>noWatermarks().withTimestampAssigner((c, t) -> c.ts);
    return build(events, RuntimeExecutionMode.BATCH, timestamps);
  }

  /**
   * Builds extract → keyBy(entity) → compute for a job in {@code RuntimeExecutionMode.STREAMING}.
   */
  public SingleOutputStreamOperator<RowData> streaming(DataStream<Event> events) {
    return build(events, RuntimeExecutionMode.STREAMING, watermarks);
  }

  private SingleOutputStreamOperator<RowData> build(
      DataStream<Event> events,
      RuntimeExecutionMode mode,
      WatermarkStrategy<Contribution> eventTime) {
    String name = plan.group().name();
    SingleOutputStreamOperator<Contribution> extracted =
        events
            .process(
                new Extract(
                    plan,
                    false,
                    deadLetters == null ? null : deadLetters.origin(),
                    deadLetters == null ? null : deadLetters.runId()))
            .returns(ContributionTypeInfo.INSTANCE)
            .name("extract " + name)
            .uid("extract-" + name);
    if (deadLetters != null) deadLetters.sink().accept(extracted.getSideOutput(Extract.REFUSED));
    // BATCH assigns timestamps on each input before the union, where it chains to its source: after
    // the union it would be a task of its own, and every BATCH exchange writes all its records out
    // before the next task reads them. STREAMING keeps one watermark generator after the union.
    boolean perInput = mode == RuntimeExecutionMode.BATCH && eventTime != null;
    DataStream<Contribution> contributions =
        perInput ? withTimestamps(extracted, eventTime, "", name) : extracted;
    if (history != null) {
      DataStream<Contribution> replayed =
          history
              .process(new Extract(plan, false, null, null))
              .returns(ContributionTypeInfo.INSTANCE)
              .name("extract replayed " + name)
              .uid("extract-replayed-" + name);
      contributions =
          contributions.union(
              perInput ? withTimestamps(replayed, eventTime, "replayed ", name) : replayed);
    }
    if (keyHistory != null) {
      DataStream<Contribution> markers =
          keyHistory
              .process(new Extract(plan, true, null, null))
              .returns(ContributionTypeInfo.INSTANCE)
              .name("key history " + name);
      contributions =
          contributions.union(
              perInput ? withTimestamps(markers, eventTime, "key history ", name) : markers);
    }
    if (eventTime != null && !perInput) {
      contributions = withTimestamps(contributions, eventTime, "", name);
    }
    SingleOutputStreamOperator<RowData> computed =
        mode == RuntimeExecutionMode.BATCH
            ? contributions
                .keyBy(c -> SortedBatchFunction.hash(c.key), Types.LONG)
                .process(new SortedBatchFunction(plan, rowType.getFieldNames()))
            : contributions
                .keyBy(c -> c.key, TypeInformation.of(String.class))
                .process(
                    collapseBefore != Long.MIN_VALUE
                        ? new FeatureProcessFunction(plan, rowType, collapseBefore, releaseAt)
                        : new FeatureProcessFunction(plan, rowType.getFieldNames()));
    return computed
        .returns(InternalTypeInfo.of(rowType))
        .name("compute " + name)
        .uid("compute-" + name);
  }

  private static DataStream<Contribution> withTimestamps(
      DataStream<Contribution> in,
      WatermarkStrategy<Contribution> eventTime,
      String input,
      String name) {
    return in.assignTimestampsAndWatermarks(eventTime)
        .name(input + "event time " + name)
        .uid(input.replace(' ', '-') + "event-time-" + name);
  }

  /** Accumulator counting events compute could not take (an expression failed on them). */
  public static final String REJECTED = "janus-events-rejected";

  /**
   * Runs the extractor per task (JEXL expressions are compiled in {@code open}). Ingest and stream
   * check events against the group's expressions before they get here; an event that still fails (a
   * raw row stored before this group's definition existed) is skipped, counted in {@link #REJECTED}
   * and logged, never fatal, and with an origin it becomes a dead letter ({@link #REFUSED}). Key
   * markers (history before the range) are only counted: the backfill that reads them as events
   * dead-letters them.
   */
  static final class Extract extends ProcessFunction<Event, Contribution> {
    static final OutputTag<RowData> REFUSED =
        new OutputTag<>("refused-events", InternalTypeInfo.of(DeadLetters.rowType()));
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Extract.class);
    private final GroupPlan plan;
    private final boolean markers;
    private final String origin;
    private final String runId;
    private transient ContributionExtractor extractor;
    private transient org.apache.flink.api.common.accumulators.LongCounter rejected;

    /**
     * @param origin where the events come from, recorded in dead letters; null to only count
     * @param runId the run recorded in dead letters
     */
    Extract(GroupPlan plan, boolean markers, String origin, String runId) {
      this.plan = plan;
      this.markers = markers;
      this.origin = origin;
      this.runId = runId;
    }

    @Override
    public void open(OpenContext openContext) {
      extractor = new ContributionExtractor(plan);
      rejected = getRuntimeContext().getLongCounter(REJECTED);
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Contribution> out) {
      Contribution c;
      try {
        c = markers ? extractor.marker(e) : extractor.extract(e);
      } catch (ContributionExtractor.EventRejected ex) {
        rejected.add(1);
        if (rejected.getLocalValue() <= 10) LOG.warn("event skipped: {}", ex.getMessage());
        if (origin != null) {
          ctx.output(
              REFUSED,
              DeadLetters.row(
                  plan.group().source().name(),
                  origin,
                  ex.getMessage(),
                  EventJson.toJson(plan.group().source(), e),
                  System.currentTimeMillis(),
                  runId));
        }
        return;
      }
      if (c != null) {
        out.collect(c);
      }
    }
  }
}
