package io.janus.engine.core.definition;

import io.janus.engine.core.aggregate.Aggregation;
import io.janus.engine.core.expr.Expressions;
import io.janus.engine.core.schema.FieldType;
import java.io.Serializable;

/**
 * One feature of a group.
 *
 * @param name column name in the feature table and field name online
 * @param agg the aggregation ({@link io.janus.engine.core.aggregate.Ratio} for a ratio of two
 *     features)
 * @param of value expression (a source field or a JEXL expression); null for count/duration/ratio
 * @param where JEXL filter over the event; null means every event
 * @param window sliding or lifetime window; null for ratio features
 * @param num numerator feature (ratio only)
 * @param den denominator feature (ratio only)
 * @param description free text
 */
public record Feature(
    String name,
    Aggregation agg,
    String of,
    String where,
    Window window,
    String num,
    String den,
    String description)
    implements Serializable {

  /** True when the feature is computed from two other features rather than from events. */
  public boolean isRatio() {
    return agg.reads() == Aggregation.Reads.FEATURES;
  }

  /**
   * The type of the values it aggregates: the field's type when {@code of} names a field of {@code
   * source}, else a number (an expression, or no value at all).
   */
  public FieldType valueType(SourceDefinition source) {
    if (of != null && Expressions.isFieldReference(of)) {
      return source.field(of).orElseThrow().type();
    }
    return FieldType.DOUBLE;
  }

  /** The type of its column: the aggregation's result over {@link #valueType}. */
  public FieldType resultType(SourceDefinition source) {
    return agg.resultType(isRatio() ? FieldType.DOUBLE : valueType(source));
  }
}
