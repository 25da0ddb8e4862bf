package io.janus.engine.core.aggregate.internal;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * Exact running sum and count. Sums are kept as {@link BigDecimal} of each double's shortest
 * decimal form, so addition is associative and subtraction exact: the result does not depend on the
 * order events arrive in (batch and streaming agree to the last bit) and an emptied window sums to
 * exactly 0.
 */
public final class SumState implements Serializable {
  public BigDecimal sum;
  public long count;

  public SumState() {
    this(BigDecimal.ZERO, 0);
  }

  public SumState(BigDecimal sum, long count) {
    this.sum = sum;
    this.count = count;
  }
}
