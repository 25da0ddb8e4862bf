package io.janus.engine.flink.sync;

import io.janus.engine.online.OnlineRowEncoder;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;

/**
 * Pre-aggregation before the shuffle: per key, only the row with the greatest valid_from (and, when
 * asked, the one with the smallest) goes on, from a bounded map flushed when full and at the end of
 * input. A feature table holds many change rows per key and day, so this cuts what the keyed
 * operator downstream has to sort. Rows it keeps are copied: with object reuse on (as the command
 * line runs jobs), the source refills the same row objects batch after batch.
 */
public final class LatestRowCombiner extends AbstractStreamOperator<RowData>
    implements OneInputStreamOperator<RowData, RowData>, BoundedOneInput {
  private static final int MAX_KEYS = 50_000;

  private final RowType rowType;
  private final OnlineRowEncoder encoder;
  private final boolean keepEarliest;
  private transient RowDataSerializer serializer;
  private transient Map<String, RowData[]> rows;

  /**
   * @param rowType the type of the rows
   * @param encoder knows the key and valid_from of a row
   * @param keepEarliest also pass on each key's earliest row (the parity check needs to know
   *     whether a row exists at or before a given time)
   */
  public LatestRowCombiner(RowType rowType, OnlineRowEncoder encoder, boolean keepEarliest) {
    this.rowType = rowType;
    this.encoder = encoder;
    this.keepEarliest = keepEarliest;
  }

  @Override
  public void open() throws Exception {
    super.open();
    serializer = new RowDataSerializer(rowType);
    rows = new HashMap<>();
  }

  @Override
  public void processElement(StreamRecord<RowData> element) {
    RowData row = element.getValue();
    String key = encoder.key(row);
    RowData[] kept = rows.get(key);
    if (kept == null) {
      if (rows.size() >= MAX_KEYS) flush();
      RowData copy = serializer.copy(row);
      rows.put(key, new RowData[] {copy, copy});
      return;
    }
    long vf = encoder.validFrom(row);
    if (vf > encoder.validFrom(kept[0])) kept[0] = serializer.copy(row);
    if (keepEarliest && vf < encoder.validFrom(kept[1])) kept[1] = serializer.copy(row);
  }

  @Override
  public void endInput() {
    flush();
  }

  private void flush() {
    for (RowData[] kept : rows.values()) {
      output.collect(new StreamRecord<>(kept[0]));
      if (keepEarliest && kept[1] != kept[0]) output.collect(new StreamRecord<>(kept[1]));
    }
    rows.clear();
  }
}
