package io.janus.engine.core.aggregate;

import io.janus.engine.core.schema.FieldType;
import java.io.Serializable;

/**
 * An aggregation a definition names with {@code agg:}: what it reads from each event, the type of
 * the feature it yields, and the {@link Aggregator} that computes it. Built-in and added
 * aggregations are looked up by name in {@link Aggregations}; adding one means writing one class
 * and registering it there (or as a {@link java.util.ServiceLoader} service), with no switch to
 * edit.
 */
public interface Aggregation extends Serializable {

  /** What an aggregation reads from each event. */
  enum Reads {
    /** Only the event's time and id; an {@code of} is refused (e.g. {@code duration}). */
    EVENT,
    /** The event, or the non-null values of {@code of} when one is given (e.g. {@code count}). */
    EVENT_OR_VALUE,
    /** A numeric {@code of} (a numeric field or an expression), required. */
    NUMBER,
    /** An {@code of} of any type, required; strings travel as text, the rest as numbers. */
    ANY_VALUE,
    /** An {@code of} read as text, required (e.g. distinct counts). */
    TEXT,
    /** Two other features of the group ({@code num} and {@code den}), not events. */
    FEATURES
  }

  /**
   * The name used in YAML.
   *
   * @return e.g. {@code "sum"}
   */
  String name();

  /**
   * What the aggregation reads from each event.
   *
   * @return the kind of input
   */
  Reads reads();

  /**
   * The type of the feature column.
   *
   * @param valueType the type of the value read: the field's type for a plain field reference,
   *     {@code DOUBLE} for an expression
   * @return the result type
   */
  FieldType resultType(FieldType valueType);

  /**
   * Whether the feature can never be negative; the audit then checks it on every backfill.
   *
   * @return true for counts and durations
   */
  default boolean nonNegative() {
    return false;
  }

  /**
   * The aggregator computing this aggregation over values of {@code valueType}.
   *
   * @param valueType as for {@link #resultType}
   * @return a stateless aggregator (it may be shared)
   */
  Aggregator<?> aggregator(FieldType valueType);
}
