package io.janus.engine.core.definition;

import java.io.Serializable;

/**
 * One feature of a group.
 *
 * @param name column name in the feature table and field name online
 * @param agg aggregation
 * @param of value expression (a source field or a JEXL expression); null for count/duration/ratio
 * @param where JEXL filter over the event; null means every event
 * @param window sliding or lifetime window; null for ratio features
 * @param num numerator feature (ratio only)
 * @param den denominator feature (ratio only)
 * @param description free text
 */
public record Feature(
    String name,
    AggKind agg,
    String of,
    String where,
    Window window,
    String num,
    String den,
    String description)
    implements Serializable {

  public boolean isRatio() {
    return agg == AggKind.RATIO;
  }
}
