package io.janus.engine.core.plan;

import io.janus.engine.core.aggregate.Aggregation;
import io.janus.engine.core.aggregate.Aggregator;
import io.janus.engine.core.aggregate.Ratio;
import io.janus.engine.core.definition.Feature;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.expr.Expressions;
import io.janus.engine.core.schema.FeatureSchema;
import io.janus.engine.core.schema.FieldType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A feature group compiled for execution: distinct aggregation inputs (features that share agg, of
 * and where share one input and its per-slice state), per feature its input and window, the output
 * columns and their types. Immutable and serializable; shipped to every task.
 */
public final class GroupPlan implements Serializable {
  /** Separates entity key values in a composite key. */
  public static final char KEY_SEPARATOR = '\u001F';

  /** How an input's value travels in a {@code Contribution}. */
  public enum Slot {
    NONE,
    NUM,
    STR
  }

  /** One distinct aggregation input. */
  public record Input(
      Aggregation agg,
      String of,
      String where,
      Slot slot,
      FieldType valueType,
      Aggregator<?> aggregator)
      implements Serializable {}

  private final FeatureGroup group;
  private final long hop;
  private final List<Input> inputs;

  /** Per aggregated (non-ratio) feature: its input index. */
  private final int[] aggInput;

  /** Per aggregated feature: its window in ms, or -1 for lifetime. */
  private final long[] aggWindow;

  /** Per output column: index into the aggregated features, or -1 for a ratio. */
  private final int[] columnAgg;

  /** Per output column that is a ratio: the num and den column indexes. */
  private final int[] ratioNum;

  private final int[] ratioDen;
  private final FieldType[] columnTypes;

  /** Distinct sliding windows, ascending. */
  private final long[] windows;

  /** Per distinct window: the aggregated features using it. */
  private final int[][] featuresByWindow;

  private final boolean[] inputSliding;
  private final int[] lifetimeFeatures;
  private final Object[] emptyRow;

  private GroupPlan(FeatureGroup group) {
    this.group = group;
    this.hop = group.hop().toMillis();
    Map<String, Integer> inputIndex = new LinkedHashMap<>();
    List<Input> ins = new ArrayList<>();
    List<Feature> aggs = group.features().stream().filter(f -> !f.isRatio()).toList();
    aggInput = new int[aggs.size()];
    aggWindow = new long[aggs.size()];
    for (int a = 0; a < aggs.size(); a++) {
      Feature f = aggs.get(a);
      String id = f.agg().name() + "\u0000" + f.of() + "\u0000" + f.where();
      Integer idx = inputIndex.get(id);
      if (idx == null) {
        idx = ins.size();
        inputIndex.put(id, idx);
        ins.add(input(f, group.source()));
      }
      aggInput[a] = idx;
      aggWindow[a] = f.window().isLifetime() ? -1 : f.window().millis();
    }
    inputs = List.copyOf(ins);

    int n = group.features().size();
    columnAgg = new int[n];
    ratioNum = new int[n];
    ratioDen = new int[n];
    columnTypes = new FieldType[n];
    List<String> names = group.features().stream().map(Feature::name).toList();
    int a = 0;
    for (int c = 0; c < n; c++) {
      Feature f = group.features().get(c);
      if (f.isRatio()) {
        columnAgg[c] = -1;
        ratioNum[c] = names.indexOf(f.num());
        ratioDen[c] = names.indexOf(f.den());
        columnTypes[c] = f.resultType(group.source());
      } else {
        columnAgg[c] = a;
        columnTypes[c] = f.resultType(group.source());
        a++;
      }
    }

    TreeSet<Long> ws = new TreeSet<>();
    for (long w : aggWindow) if (w > 0) ws.add(w);
    windows = ws.stream().mapToLong(Long::longValue).toArray();
    featuresByWindow = new int[windows.length][];
    inputSliding = new boolean[inputs.size()];
    for (int wi = 0; wi < windows.length; wi++) {
      List<Integer> fs = new ArrayList<>();
      for (int f = 0; f < aggWindow.length; f++) {
        if (aggWindow[f] == windows[wi]) {
          fs.add(f);
          inputSliding[aggInput[f]] = true;
        }
      }
      featuresByWindow[wi] = fs.stream().mapToInt(Integer::intValue).toArray();
    }
    List<Integer> lifetime = new ArrayList<>();
    for (int f = 0; f < aggWindow.length; f++) if (aggWindow[f] < 0) lifetime.add(f);
    lifetimeFeatures = lifetime.stream().mapToInt(Integer::intValue).toArray();
    emptyRow = values(new Object[aggInput.length]);
  }

  /** Compiles a validated group. */
  public static GroupPlan of(FeatureGroup group) {
    return new GroupPlan(group);
  }

  private static Input input(Feature f, SourceDefinition source) {
    FieldType valueType = f.valueType(source);
    Aggregation agg = f.agg();
    Slot slot =
        switch (agg.reads()) {
          case EVENT, EVENT_OR_VALUE -> Slot.NONE;
          case TEXT -> Slot.STR;
          case ANY_VALUE -> valueType == FieldType.STRING ? Slot.STR : Slot.NUM;
          case NUMBER -> Slot.NUM;
          case FEATURES -> throw new IllegalArgumentException(agg.name() + " reads no events");
        };
    return new Input(agg, f.of(), f.where(), slot, valueType, agg.aggregator(valueType));
  }

  /** Output values of every column from the current IR of every aggregated feature. */
  public Object[] values(Object[] current) {
    int n = columnAgg.length;
    Object[] out = new Object[n];
    for (int c = 0; c < n; c++) {
      int a = columnAgg[c];
      if (a >= 0) {
        out[c] = Aggregator.erase(inputs.get(aggInput[a]).aggregator()).result(current[a]);
      }
    }
    for (int c = 0; c < n; c++) {
      if (columnAgg[c] < 0) {
        out[c] = Ratio.of(out[ratioNum[c]], out[ratioDen[c]]);
      }
    }
    return out;
  }

  /** The hop-grid time at or after {@code t}. */
  public long ceilHop(long t) {
    return Math.floorDiv(t + hop - 1, hop) * hop;
  }

  public FeatureGroup group() {
    return group;
  }

  public long hopMillis() {
    return hop;
  }

  public List<Input> inputs() {
    return inputs;
  }

  /**
   * The source fields the group reads: its entity, event time and id, and every field its inputs'
   * {@code where} and {@code of} read. A reader may leave out the others.
   *
   * @return field names as the source declares them (dotted for nested ones)
   */
  public java.util.Set<String> sourceFields() {
    SourceDefinition source = group.source();
    java.util.Set<String> out = new java.util.LinkedHashSet<>(group.entity());
    out.add(source.eventTime());
    out.add(source.eventId());
    for (Input in : inputs) {
      if (in.where() != null) out.addAll(Expressions.variables(in.where()));
      if (in.of() != null)
        out.addAll(
            Expressions.isFieldReference(in.of())
                ? java.util.List.of(in.of())
                : Expressions.variables(in.of()));
    }
    return out;
  }

  public int aggregatedFeatures() {
    return aggInput.length;
  }

  public int inputOf(int aggFeature) {
    return aggInput[aggFeature];
  }

  public long windowOf(int aggFeature) {
    return aggWindow[aggFeature];
  }

  public long[] windows() {
    return windows;
  }

  public int[] featuresOfWindow(int windowIndex) {
    return featuresByWindow[windowIndex];
  }

  public boolean isSlidingInput(int input) {
    return inputSliding[input];
  }

  public int[] lifetimeFeatures() {
    return lifetimeFeatures;
  }

  public long maxWindow() {
    return windows.length == 0 ? 0 : windows[windows.length - 1];
  }

  /** Values of a key none of whose windows holds anything: counts and sums 0, the rest null. */
  public Object[] emptyRow() {
    return emptyRow.clone();
  }

  /** Result type of each output column, in feature order. */
  public FieldType[] columnTypes() {
    return columnTypes.clone();
  }

  /**
   * The group's output schema: keys, {@code valid_from} and the feature columns with their types.
   */
  public FeatureSchema schema() {
    return group.schema();
  }

  /** Column names of the features, in order. */
  public List<String> columnNames() {
    return group.features().stream().map(Feature::name).toList();
  }
}
