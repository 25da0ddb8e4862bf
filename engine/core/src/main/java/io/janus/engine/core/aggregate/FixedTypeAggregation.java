package io.janus.engine.core.aggregate;

import io.janus.engine.core.schema.FieldType;

/**
 * An aggregation that is its own aggregator and whose result type does not depend on the value it
 * reads (all built-ins but {@code last}): subclasses state their name, input and result type once
 * and implement only the {@link Aggregator} half.
 *
 * @param <I> the intermediate representation
 */
public abstract class FixedTypeAggregation<I> implements Aggregation, Aggregator<I> {
  private final String name;
  private final Reads reads;
  private final FieldType resultType;
  private final boolean nonNegative;

  /**
   * @param name the YAML name
   * @param reads what it reads from each event
   * @param resultType the type of the feature column
   * @param nonNegative whether the audit checks the feature is never negative
   */
  protected FixedTypeAggregation(
      String name, Reads reads, FieldType resultType, boolean nonNegative) {
    this.name = name;
    this.reads = reads;
    this.resultType = resultType;
    this.nonNegative = nonNegative;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Reads reads() {
    return reads;
  }

  @Override
  public final FieldType resultType(FieldType valueType) {
    return resultType;
  }

  @Override
  public final boolean nonNegative() {
    return nonNegative;
  }

  @Override
  public final Aggregator<?> aggregator(FieldType valueType) {
    return this;
  }
}
