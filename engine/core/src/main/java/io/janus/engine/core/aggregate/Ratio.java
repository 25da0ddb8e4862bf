package io.janus.engine.core.aggregate;

import io.janus.engine.core.schema.FieldType;

/**
 * {@code agg: ratio}: {@code num / den} of two other features of the group, null when {@code den}
 * is 0 or null. It reads no events, so it has no aggregator: the plan computes it from the row.
 */
public final class Ratio implements Aggregation {
  /** The one instance. */
  public static final Ratio INSTANCE = new Ratio();

  private Ratio() {}

  @Override
  public String name() {
    return "ratio";
  }

  @Override
  public Reads reads() {
    return Reads.FEATURES;
  }

  @Override
  public FieldType resultType(FieldType valueType) {
    return FieldType.DOUBLE;
  }

  @Override
  public Aggregator<?> aggregator(FieldType valueType) {
    throw new UnsupportedOperationException(
        "a ratio is computed from two features, not aggregated");
  }

  /**
   * The ratio of two feature values.
   *
   * @param num the numerator's value
   * @param den the denominator's value
   * @return {@code num / den}, or null when either is null or {@code den} is 0
   */
  public static Double of(Object num, Object den) {
    if (num == null || den == null) return null;
    double d = ((Number) den).doubleValue();
    if (d == 0) return null;
    return ((Number) num).doubleValue() / d;
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
