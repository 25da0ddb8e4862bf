package io.janus.engine.flink.compute;

import io.janus.engine.core.event.Event;
import io.janus.engine.core.plan.GroupPlan;
import io.janus.engine.core.state.Contribution;
import io.janus.engine.core.state.ContributionExtractor;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

/**
 * The compiler's output: one group as a Flink pipeline from events to feature-table change rows. The
 * same graph runs in BATCH and STREAMING; only the watermark strategy and the time-advance policy of
 * {@link FeatureProcessFunction} follow the mode.
 */
public final class FeaturePipeline {
  private final GroupPlan plan;
  private final RowType rowType;

  /**
   * @param plan the compiled group
   * @param rowType the Flink row type of the group's feature table (its actual columns, in order)
   */
  public FeaturePipeline(GroupPlan plan, RowType rowType) {
    this.plan = plan;
    this.rowType = rowType;
  }

  /** Watermarks for STREAMING: events may be up to {@code outOfOrderness} late; idle splits stop holding time back. */
  public static WatermarkStrategy<Contribution> streamingWatermarks(Duration outOfOrderness, Duration idleness) {
    WatermarkStrategy<Contribution> s =
        WatermarkStrategy.<Contribution>forBoundedOutOfOrderness(outOfOrderness).withTimestampAssigner((c, t) -> c.ts);
    return idleness == null ? s : s.withIdleness(idleness);
  }

  /** Timestamps for BATCH (watermarks are ignored there; timestamps order each key's input). */
  public static WatermarkStrategy<Contribution> batchTimestamps() {
    return WatermarkStrategy.<Contribution>noWatermarks().withTimestampAssigner((c, t) -> c.ts);
  }

  /** Builds extract → keyBy(entity) → compute. */
  public SingleOutputStreamOperator<RowData> compute(
      DataStream<Event> events, boolean batch, WatermarkStrategy<Contribution> watermarks) {
    return compute(events, null, batch, watermarks);
  }

  /**
   * Builds extract → keyBy(entity) → compute, with optional key markers (see
   * {@code EventSource.keysBefore}) that contribute nothing but tell each key it has a history.
   * With {@code watermarks} null, the events' own timestamps and watermarks are used.
   */
  public SingleOutputStreamOperator<RowData> compute(
      DataStream<Event> events, DataStream<Event> keyMarkers, boolean batch, WatermarkStrategy<Contribution> watermarks) {
    String name = plan.group().name();
    DataStream<Contribution> contributions = events.flatMap(new Extract(plan, false))
        .returns(ContributionTypeInfo.INSTANCE)
        .name("extract " + name)
        .uid("extract-" + name);
    if (keyMarkers != null) {
      contributions = contributions.union(
          keyMarkers.flatMap(new Extract(plan, true)).returns(ContributionTypeInfo.INSTANCE).name("key history " + name));
    }
    if (watermarks != null) {
      contributions = contributions.assignTimestampsAndWatermarks(watermarks).name("event time " + name).uid("event-time-" + name);
    }
    return contributions
        .keyBy(c -> c.key, TypeInformation.of(String.class))
        .process(new FeatureProcessFunction(plan, rowType.getFieldNames(), batch))
        .returns(InternalTypeInfo.of(rowType))
        .name("compute " + name)
        .uid("compute-" + name);
  }

  /** Runs the extractor per task (JEXL expressions are compiled in {@code open}). */
  static final class Extract extends RichFlatMapFunction<Event, Contribution> {
    private final GroupPlan plan;
    private final boolean markers;
    private transient ContributionExtractor extractor;

    Extract(GroupPlan plan, boolean markers) {
      this.plan = plan;
      this.markers = markers;
    }

    @Override
    public void open(OpenContext openContext) {
      extractor = new ContributionExtractor(plan);
    }

    @Override
    public void flatMap(Event e, Collector<Contribution> out) {
      Contribution c = markers ? extractor.marker(e) : extractor.extract(e);
      if (c != null) {
        out.collect(c);
      }
    }
  }
}
