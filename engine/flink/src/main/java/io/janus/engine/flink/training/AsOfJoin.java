package io.janus.engine.flink.training;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.pit.PointInTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

/**
 * The as-of join of one group, per entity key, in BATCH mode: Flink hands over all spine rows and
 * all feature rows of a key together (keyed inputs are sorted by key), this buffers them, and when
 * the key is complete (its end-of-key timer) sorts the feature rows by {@code valid_from} and gives
 * each spine row the features of the row valid at its time ({@link PointInTime#pick}), or nulls
 * when there is none or its TTL has passed ({@link FeatureGroup#liveAt}). Memory is bounded by one
 * key's rows, not by the table.
 *
 * <p>Spine rows are {@code (time, columns…)}; feature rows {@code (key, valid_from ms, features…)};
 * output rows the spine row followed by the features.
 */
final class AsOfJoin extends KeyedCoProcessFunction<String, RowData, RowData, RowData> {
  private final FeatureGroup group;
  private final RowType spineType;
  private final RowType featureType;
  private transient ListState<RowData> spine;
  private transient ListState<RowData> features;
  private transient RowData.FieldGetter[] spineFields;
  private transient RowData.FieldGetter[] featureFields;

  AsOfJoin(FeatureGroup group, RowType spineType, RowType featureType) {
    this.group = group;
    this.spineType = spineType;
    this.featureType = featureType;
  }

  @Override
  public void open(OpenContext context) {
    spine =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("spine", InternalTypeInfo.of(spineType)));
    features =
        getRuntimeContext()
            .getListState(new ListStateDescriptor<>("features", InternalTypeInfo.of(featureType)));
    spineFields = getters(spineType, 0);
    featureFields = getters(featureType, 2);
  }

  private static RowData.FieldGetter[] getters(RowType type, int from) {
    RowData.FieldGetter[] g = new RowData.FieldGetter[type.getFieldCount() - from];
    for (int i = 0; i < g.length; i++)
      g[i] = RowData.createFieldGetter(type.getTypeAt(from + i), from + i);
    return g;
  }

  @Override
  public void processElement1(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    spine.add(row);
    // In BATCH mode every timer of a key fires once all of the key's rows are in. Only keys with
    // spine rows need one: BATCH drops a key's state when the next key starts, so the feature rows
    // of keys no spine row asks for go without a timer.
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  @Override
  public void processElement2(RowData row, Context ctx, Collector<RowData> out) throws Exception {
    features.add(row);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RowData> out) throws Exception {
    List<RowData> rows = new ArrayList<>();
    spine.get().forEach(rows::add);
    if (!rows.isEmpty()) {
      List<RowData> history = new ArrayList<>();
      features.get().forEach(history::add);
      history.sort(Comparator.comparingLong(r -> r.getLong(1)));
      long[] validFrom = new long[history.size()];
      for (int i = 0; i < validFrom.length; i++) validFrom[i] = history.get(i).getLong(1);
      long[] times = new long[rows.size()];
      for (int i = 0; i < times.length; i++) times[i] = rows.get(i).getLong(0);
      int[] picked = PointInTime.pick(validFrom, times);
      for (int i = 0; i < times.length; i++) {
        RowData in = rows.get(i);
        GenericRowData o = new GenericRowData(spineFields.length + featureFields.length);
        for (int c = 0; c < spineFields.length; c++)
          o.setField(c, spineFields[c].getFieldOrNull(in));
        int p = picked[i];
        if (p >= 0 && group.liveAt(validFrom[p], times[i])) {
          RowData f = history.get(p);
          for (int c = 0; c < featureFields.length; c++)
            o.setField(spineFields.length + c, featureFields[c].getFieldOrNull(f));
        }
        out.collect(o);
      }
    }
    spine.clear();
    features.clear();
  }
}
