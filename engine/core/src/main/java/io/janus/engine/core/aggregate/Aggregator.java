package io.janus.engine.core.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * An aggregation over an intermediate representation (IR), after Chronon's contract: {@code
 * prepare} turns one input into an IR, {@code update} folds another input in, {@code merge}
 * combines two IRs, {@code result} finalizes. Windowing is kept outside: the state machine merges
 * per-slice IRs and, for {@link #invertible()} aggregations, subtracts the slices that leave a
 * window.
 *
 * <p>IRs are mutable for speed: {@code update}, {@code merge} and {@code subtract} may change and
 * return their first argument and never change the second. A null IR means "nothing".
 *
 * <p>An input is given as a numeric value, a string value, the event time and the event id; each
 * aggregation reads the parts it needs.
 *
 * @param <I> the intermediate representation
 */
public interface Aggregator<I> extends Serializable {

  /** The IR of a single input. */
  I prepare(double num, String str, long ts, String eventId);

  /** Folds one more input into {@code ir}. */
  I update(I ir, double num, String str, long ts, String eventId);

  /** Combines {@code other} into {@code into}; either may be null. */
  I merge(I into, I other);

  /** An independent copy of {@code ir} (null stays null). */
  I copy(I ir);

  /**
   * The feature value of {@code ir}; for null, the value over nothing (0 for counts and sums, else
   * null).
   */
  Object result(I ir);

  /**
   * Writes a non-null {@code ir}, for checkpoints and savepoints.
   *
   * @param ir the intermediate value
   * @param out where to write it
   * @throws IOException when {@code out} fails
   */
  void write(I ir, DataOutput out) throws IOException;

  /**
   * Reads an intermediate value written by {@link #write}.
   *
   * @param in where to read it from
   * @return the intermediate value
   * @throws IOException when {@code in} fails or ends early
   */
  I read(DataInput in) throws IOException;

  /** True when {@link #subtract} is available, so a window can drop a slice without recomputing. */
  default boolean invertible() {
    return false;
  }

  /** Removes {@code removed} (previously merged in) from {@code from}. */
  default I subtract(I from, I removed) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " is not invertible");
  }

  /** Unchecked helper so callers holding {@code Aggregator<?>} can pass Objects. */
  @SuppressWarnings("unchecked")
  static Aggregator<Object> erase(Aggregator<?> a) {
    return (Aggregator<Object>) a;
  }
}
