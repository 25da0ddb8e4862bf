package io.janus.engine.flink.stream;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineRowEncoder;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.table.data.RowData;

/**
 * The online rows of a bootstrapped stream: a row valid before the bootstrap's time is a key's
 * value as of then, computed from all of its history, so it replaces whatever the store holds up to
 * that time (an older run's or an older definition's row); later rows are guarded as usual.
 */
final class ReplacingBefore implements ElementConverter<RowData, OnlineRow> {
  private final OnlineRowEncoder encoder;
  private final long asOf;

  ReplacingBefore(OnlineRowEncoder encoder, long asOf) {
    this.encoder = encoder;
    this.asOf = asOf;
  }

  @Override
  public OnlineRow apply(RowData row, SinkWriter.Context context) {
    return encoder.validFrom(row) < asOf ? encoder.encode(row, asOf) : encoder.apply(row, context);
  }
}
