package io.janus.engine.online.sink;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.sink.internal.FixedInFlight;
import io.janus.engine.online.sink.internal.OnlineRowStateSerializer;
import io.janus.monitoring.MetricNames;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * The one way Janus writes to the online store, for streams and syncs alike: a Sink V2 on Flink's
 * {@code AsyncSinkWriter} over the {@link io.janus.engine.online.OnlineStore} SPI. Each subtask
 * opens its own store, sends batches of up to {@value #MAX_BATCH} rows (the newest per key), keeps
 * up to {@value #MAX_IN_FLIGHT} in flight, sends a partly filled batch after {@value
 * #MAX_TIME_IN_BUFFER_MS} ms, and at every checkpoint waits for what is in flight (at-least-once,
 * made exact by the store's guard).
 *
 * <p>What landed and what the guard refused reach the client as accumulators named by {@link
 * #landed}, {@link #refused} and {@link #retractions} when the sink was built with {@link
 * Builder#reportFiguresAs}.
 *
 * @param <InputT> what the job hands the sink; the converter turns it into an {@link OnlineRow}
 */
public final class OnlineSink<InputT> extends AsyncSinkBase<InputT, OnlineRow>
    implements SupportsCommitter<WriteFigures>, SupportsPostCommitTopology<WriteFigures> {
  /** Rows per batch (before keeping the newest per key). */
  public static final int MAX_BATCH = 500;

  /** Batches in flight per subtask. */
  public static final int MAX_IN_FLIGHT = 8;

  /**
   * Longest a row waits in a partly filled batch, so a slow stream still reaches the store quickly.
   */
  public static final long MAX_TIME_IN_BUFFER_MS = 5;

  private static final int MAX_BUFFERED = 2 * MAX_BATCH;
  private static final long MAX_BATCH_BYTES = 64L << 20;
  private static final long MAX_ROW_BYTES = 16L << 20;
  private static final long REQUEST_TIMEOUT_MS = 60_000;

  private final OnlineStoreFactory stores;
  private final String figuresPrefix;

  private OnlineSink(
      OnlineStoreFactory stores,
      ElementConverter<InputT, OnlineRow> converter,
      String figuresPrefix) {
    super(
        converter,
        MAX_BATCH,
        MAX_IN_FLIGHT,
        MAX_BUFFERED,
        MAX_BATCH_BYTES,
        MAX_TIME_IN_BUFFER_MS,
        MAX_ROW_BYTES,
        REQUEST_TIMEOUT_MS,
        false);
    this.stores = Objects.requireNonNull(stores, "stores");
    this.figuresPrefix = figuresPrefix;
  }

  /**
   * A sink writing to {@code stores} what {@code converter} makes of each input.
   *
   * @param stores the online store, opened by each subtask
   * @param converter turns an input into a row (or a retraction)
   * @param <T> the input type
   * @return a builder
   */
  public static <T> Builder<T> builder(
      OnlineStoreFactory stores, ElementConverter<T, OnlineRow> converter) {
    return new Builder<>(stores, converter, "", false);
  }

  /**
   * The accumulator of rows written (or keys removed), for a sink built with {@code
   * reportFiguresAs(prefix)}.
   */
  public static String landed(String prefix) {
    return prefix + "-landed";
  }

  /** The accumulator of rows the guard refused because the store held a newer value. */
  public static String refused(String prefix) {
    return prefix + "-refused";
  }

  /** The accumulator of retractions sent. */
  public static String retractions(String prefix) {
    return prefix + "-retractions";
  }

  /**
   * Immutable builder of an {@link OnlineSink}.
   *
   * @param <T> the input type
   */
  public static final class Builder<T> {
    private final OnlineStoreFactory stores;
    private final ElementConverter<T, OnlineRow> converter;
    private final String figuresPrefix;
    private final boolean freshness;

    private Builder(
        OnlineStoreFactory stores,
        ElementConverter<T, OnlineRow> converter,
        String figuresPrefix,
        boolean freshness) {
      this.stores = stores;
      this.converter = converter;
      this.figuresPrefix = figuresPrefix;
      this.freshness = freshness;
    }

    /** Hands the writes' figures to the client as accumulators named {@code <prefix>-landed}, … */
    public Builder<T> reportFiguresAs(String prefix) {
      if (prefix.isBlank())
        throw new IllegalArgumentException("a figures prefix must not be blank");
      return new Builder<>(stores, converter, prefix, freshness);
    }

    /**
     * Records how far behind the wall clock each row's {@code valid_from} is when it goes out (the
     * {@code online_freshness} histogram): for streams, not for syncs of old rows.
     */
    public Builder<T> measureFreshness() {
      return new Builder<>(stores, converter, figuresPrefix, true);
    }

    /** The sink. */
    public OnlineSink<T> build() {
      return new OnlineSink<>(
          stores, freshness ? new Freshness<>(converter) : converter, figuresPrefix);
    }
  }

  @Override
  public StatefulSinkWriter<InputT, BufferedRequestState<OnlineRow>> createWriter(
      WriterInitContext context) {
    return restoreWriter(context, List.of());
  }

  @Override
  public StatefulSinkWriter<InputT, BufferedRequestState<OnlineRow>> restoreWriter(
      WriterInitContext context, Collection<BufferedRequestState<OnlineRow>> states) {
    AsyncSinkWriterConfiguration configuration =
        AsyncSinkWriterConfiguration.builder()
            .setMaxBatchSize(getMaxBatchSize())
            .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
            .setMaxInFlightRequests(getMaxInFlightRequests())
            .setMaxBufferedRequests(getMaxBufferedRequests())
            .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
            .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
            .setRequestTimeoutMS(getRequestTimeoutMS())
            .setFailOnTimeout(getFailOnTimeout())
            .setRateLimitingStrategy(new FixedInFlight(getMaxInFlightRequests(), getMaxBatchSize()))
            .build();
    return new OnlineSinkWriter<>(getElementConverter(), context, configuration, states, stores);
  }

  @Override
  public SimpleVersionedSerializer<BufferedRequestState<OnlineRow>> getWriterStateSerializer() {
    return new OnlineRowStateSerializer();
  }

  /**
   * Nothing to commit: the writes are done by the time a checkpoint completes; only figures travel.
   */
  @Override
  public Committer<WriteFigures> createCommitter(CommitterInitContext context) {
    return new Committer<>() {
      @Override
      public void commit(Collection<CommitRequest<WriteFigures>> requests) {}

      @Override
      public void close() {}
    };
  }

  @Override
  public SimpleVersionedSerializer<WriteFigures> getCommittableSerializer() {
    return new WriteFigures.Serializer();
  }

  @Override
  public void addPostCommitTopology(DataStream<CommittableMessage<WriteFigures>> committables) {
    if (figuresPrefix.isEmpty()) return;
    committables
        .flatMap(new SumFigures(figuresPrefix))
        .returns(Types.VOID)
        .name("online write figures")
        .sinkTo(new DiscardingSink<>())
        .name("online write figures end");
  }

  /** Adds each writer's figures to the job's accumulators. */
  private static final class SumFigures
      extends RichFlatMapFunction<CommittableMessage<WriteFigures>, Void> {
    private final String prefix;
    private transient LongCounter landed;
    private transient LongCounter refused;
    private transient LongCounter retractions;

    SumFigures(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public void open(OpenContext openContext) {
      landed = new LongCounter();
      refused = new LongCounter();
      retractions = new LongCounter();
      getRuntimeContext().addAccumulator(OnlineSink.landed(prefix), landed);
      getRuntimeContext().addAccumulator(OnlineSink.refused(prefix), refused);
      getRuntimeContext().addAccumulator(OnlineSink.retractions(prefix), retractions);
    }

    @Override
    public void flatMap(CommittableMessage<WriteFigures> message, Collector<Void> out) {
      if (message instanceof CommittableWithLineage<WriteFigures> c) {
        landed.add(c.getCommittable().landed());
        refused.add(c.getCommittable().refused());
        retractions.add(c.getCommittable().retractions());
      }
    }
  }

  /** Converts, and records each row's age when it goes out. */
  private static final class Freshness<T> implements ElementConverter<T, OnlineRow> {
    private static final int HISTOGRAM_WINDOW = 10_000;
    private final ElementConverter<T, OnlineRow> converter;
    private transient Histogram freshness;

    Freshness(ElementConverter<T, OnlineRow> converter) {
      this.converter = converter;
    }

    @Override
    public void open(WriterInitContext context) {
      converter.open(context);
      freshness =
          context
              .metricGroup()
              .addGroup(MetricNames.GROUP)
              .histogram(
                  MetricNames.ONLINE_FRESHNESS,
                  new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    @Override
    public OnlineRow apply(T element, SinkWriter.Context context) {
      OnlineRow row = converter.apply(element, context);
      freshness.update(Math.max(0, System.currentTimeMillis() - row.validFrom()));
      return row;
    }
  }
}
