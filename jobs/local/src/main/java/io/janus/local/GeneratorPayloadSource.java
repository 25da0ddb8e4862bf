package io.janus.local;

import io.janus.engine.flink.source.PayloadSource;
import io.janus.features.generate.ClickstreamGenerator;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Iterator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sample clickstream as a bounded streaming source ({@code generate:N}). The generator is
 * deterministic and sequential, so the source runs with parallelism 1 and, after a restore from a
 * checkpoint, skips ahead to the restored position: the same events come out whatever happens.
 */
public final class GeneratorPayloadSource implements PayloadSource {
  private final long events;
  private final int days;
  private final LocalDate start;
  private final long seed;
  private final double malformedRate;
  private final Instant until;

  public GeneratorPayloadSource(
      long events, int days, LocalDate start, long seed, double malformedRate) {
    this(events, days, start, seed, malformedRate, null);
  }

  /**
   * @param until exclusive upper bound of the event times (fixed here, so a restored job replays
   *     the same events), or null for the end of the last day
   */
  public GeneratorPayloadSource(
      long events, int days, LocalDate start, long seed, double malformedRate, Instant until) {
    this.events = events;
    this.days = days;
    this.start = start;
    this.seed = seed;
    this.malformedRate = malformedRate;
    this.until = until;
  }

  @Override
  public DataStream<String> payloads(StreamExecutionEnvironment env) {
    DataGeneratorSource<String> src =
        new DataGeneratorSource<>(
            new Lines(events, days, start, seed, malformedRate, until), events, Types.STRING);
    return env.fromSource(src, WatermarkStrategy.noWatermarks(), "generated clickstream")
        .setParallelism(1);
  }

  @Override
  public String origin() {
    return "generate:" + events;
  }

  /** Line {@code i} of the generator's sequence. */
  static final class Lines implements GeneratorFunction<Long, String> {
    private final long events;
    private final int days;
    private final LocalDate start;
    private final long seed;
    private final double malformedRate;
    private final Instant until;
    private transient Iterator<String> lines;
    private transient long position;

    Lines(long events, int days, LocalDate start, long seed, double malformedRate, Instant until) {
      this.events = events;
      this.days = days;
      this.start = start;
      this.seed = seed;
      this.malformedRate = malformedRate;
      this.until = until;
    }

    @Override
    public void open(SourceReaderContext context) {
      lines =
          ClickstreamGenerator.builder()
              .events(events)
              .days(days)
              .start(start)
              .seed(seed)
              .malformedRate(malformedRate)
              .until(until)
              .build()
              .lines();
      position = 0;
    }

    @Override
    public String map(Long index) {
      while (position < index) {
        lines.next();
        position++;
      }
      position++;
      return lines.next();
    }
  }
}
