package io.janus.engine.flink.sync;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineRowEncoder;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.table.data.RowData;

/** Turns a sync row into the online write it asks for: a guarded write, or a retraction. */
final class SyncRowConverter implements ElementConverter<RowData, OnlineRow> {
  private final OnlineRowEncoder encoder;
  private final SyncRows rows;

  SyncRowConverter(OnlineRowEncoder encoder, SyncRows rows) {
    this.encoder = encoder;
    this.rows = rows;
  }

  @Override
  public OnlineRow apply(RowData row, SinkWriter.Context context) {
    long upTo = rows.replaceUpTo(row);
    return rows.isRetraction(row) ? encoder.retraction(row, upTo) : encoder.encode(row, upTo);
  }
}
