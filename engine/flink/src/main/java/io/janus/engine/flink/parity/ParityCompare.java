package io.janus.engine.flink.parity;

import io.janus.engine.online.OnlineRow;
import io.janus.engine.online.OnlineRowEncoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

/**
 * Compares one key (BATCH): input 1 is its offline rows, input 2 its online hash as the store's
 * scan source ({@code OnlineStoreFactory.scan}) emits it. The online values are compared with the
 * offline row valid at the online valid_from (the greatest valid_from at or before it).
 *
 * <p>Offline rows come in two parts: those valid by {@code due} (when the store was last brought up
 * to date; pre-aggregated to each key's latest and earliest), and the few that fell due since (up
 * to now), which the store may or may not hold yet. An online valid_from before the earliest row
 * has no offline counterpart; one before the latest due row is stale whatever its values; any other
 * is compared with the row valid at it. A key whose rows all fell due after {@code due} and that is
 * not online is not expected online, and not checked.
 */
final class ParityCompare extends KeyedCoProcessFunction<String, RowData, String[], KeyCheck> {
  private final RowType tableType;
  private final OnlineRowEncoder encoder;
  private final List<String> features;
  private final long nowMs;
  private final long due;
  private transient ValueState<RowData> latestRow;
  private transient org.apache.flink.api.common.state.ListState<RowData> sinceDue;
  private transient ValueState<RowData> earliestRow;
  private transient ValueState<String[]> onlineHash;

  /** Copies what is kept in state: with object reuse on, Flink refills input objects. */
  private transient RowDataSerializer copier;

  ParityCompare(
      RowType tableType, OnlineRowEncoder encoder, List<String> features, long nowMs, long due) {
    this.tableType = tableType;
    this.encoder = encoder;
    this.features = features;
    this.nowMs = nowMs;
    this.due = due;
  }

  @Override
  public void open(OpenContext ctx) {
    copier = new RowDataSerializer(tableType);
    latestRow =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("latest", InternalTypeInfo.of(tableType)));
    earliestRow =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("earliest", InternalTypeInfo.of(tableType)));
    sinceDue =
        getRuntimeContext()
            .getListState(
                new org.apache.flink.api.common.state.ListStateDescriptor<>(
                    "since-due", InternalTypeInfo.of(tableType)));
    onlineHash =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("online", BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO));
  }

  @Override
  public void processElement1(RowData row, Context ctx, Collector<KeyCheck> out) throws Exception {
    long vf = encoder.validFrom(row);
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    if (vf > due) {
      sinceDue.add(copier.copy(row));
      return;
    }
    RowData latest = latestRow.value();
    if (latest == null) {
      RowData copy = copier.copy(row);
      latestRow.update(copy);
      earliestRow.update(copy);
      ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
      return;
    }
    if (vf > encoder.validFrom(latest)) latestRow.update(copier.copy(row));
    if (vf < encoder.validFrom(earliestRow.value())) earliestRow.update(copier.copy(row));
  }

  @Override
  public void processElement2(String[] hash, Context ctx, Collector<KeyCheck> out)
      throws Exception {
    onlineHash.update(hash.clone());
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<KeyCheck> out)
      throws Exception {
    String key = ctx.getCurrentKey();
    String[] online = onlineHash.value();
    RowData latest = latestRow.value();
    long onlineVf = online == null ? -1 : Long.parseLong(online[1]);
    RowData valid = null;
    if (online != null && latest != null) {
      // The row valid at onlineVf: the latest due one if it is not after it (or a row since due);
      // else some row in between (only its existence matters: the key is stale), or none before
      // the earliest row.
      if (encoder.validFrom(latest) <= onlineVf) valid = latest;
      else if (encoder.validFrom(earliestRow.value()) <= onlineVf) valid = earliestRow.value();
    }
    if (online != null) {
      for (RowData r : sinceDue.get()) {
        long vf = encoder.validFrom(r);
        if (vf <= onlineVf && (valid == null || vf > encoder.validFrom(valid))) valid = r;
      }
    }
    if (latest == null) {
      // Every row fell due after the last sync: not expected online yet.
      if (online == null) return;
      if (valid != null) latest = valid;
    }
    out.collect(check(key, online, onlineVf, latest, valid));
  }

  private KeyCheck check(
      String key, String[] online, long onlineVf, RowData latest, RowData valid) {
    KeyCheck c = new KeyCheck(key, Sampling.hash(key), KeyCheck.Status.MATCHED);
    c.onlineValidFrom = onlineVf;
    // Judged now, after the scan: a key Redis expired while the check ran is expired, not missing.
    long now = Math.max(nowMs, System.currentTimeMillis());
    if (online != null && latest != null && encoder.isExpired(onlineVf, now)) {
      // Past its TTL: Redis drops it within a minute (expiry moves on a grid) and readers no longer
      // see it, so it is judged as absent. A stray key with no offline rows stays missing_offline.
      online = null;
    }
    if (online == null) {
      long vf = encoder.validFrom(latest);
      c.offlineValidFrom = vf;
      c.status =
          encoder.isExpired(vf, now) ? KeyCheck.Status.EXPIRED : KeyCheck.Status.MISSING_ONLINE;
      c.difference = 1;
      return c;
    }
    if (valid == null) {
      c.status = KeyCheck.Status.MISSING_OFFLINE;
      c.difference = 1;
      if (latest != null) c.offlineValidFrom = encoder.validFrom(latest);
      return c;
    }
    long latestVf = encoder.validFrom(latest);
    if (onlineVf < latestVf) {
      c.status = KeyCheck.Status.STALE;
      c.offlineValidFrom = latestVf;
      c.difference = 1;
      return c;
    }
    c.offlineValidFrom = encoder.validFrom(valid);
    OnlineRow offline = encoder.encode(valid);
    List<String> names = new ArrayList<>();
    List<String> on = new ArrayList<>();
    List<String> off = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      String o = online[3 + i];
      String f = offline.values().get(features.get(i));
      if (!same(o, f)) {
        names.add(features.get(i));
        on.add(o);
        off.add(f);
        c.difference = Math.max(c.difference, difference(o, f));
      }
    }
    if (!names.isEmpty()) {
      c.status = KeyCheck.Status.MISMATCHED;
      c.features = names.toArray(String[]::new);
      c.online = on.toArray(String[]::new);
      c.offline = off.toArray(String[]::new);
    }
    return c;
  }

  /**
   * Equal as text, or as numbers (so "1" and "1.0" agree; both come from the same encoder anyway).
   */
  static boolean same(String a, String b) {
    return OnlineRowEncoder.sameValue(a, b);
  }

  /** Relative difference of two numbers, 1 for null against a value or for text. */
  static double difference(String a, String b) {
    Double x = a == null ? null : number(a);
    Double y = b == null ? null : number(b);
    if (x == null || y == null) return 1;
    double scale = Math.max(Math.abs(x), Math.abs(y));
    return scale == 0 ? 0 : Math.min(1, Math.abs(x - y) / scale);
  }

  private static Double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
