package io.janus.engine.core.definition;

import io.janus.engine.core.aggregate.Aggregation;
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
}
