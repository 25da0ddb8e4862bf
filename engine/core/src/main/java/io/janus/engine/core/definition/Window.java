package io.janus.engine.core.definition;

import java.io.Serializable;
import java.time.Duration;

/**
 * A feature's window: sliding over {@code length} (a multiple of the group's hop), or lifetime.
 *
 * <p>An event at time {@code t} counts from {@code t} until {@code ceil_hop(t + length)}
 * (exclusive).
 */
public record Window(Duration length) implements Serializable {
  /** The window that never expires. */
  public static final Window LIFETIME = new Window(null);

  /** A sliding window of the given length. */
  public static Window sliding(Duration length) {
    return new Window(length);
  }

  public boolean isLifetime() {
    return length == null;
  }

  /** Length in milliseconds; fails for lifetime windows. */
  public long millis() {
    if (length == null) {
      throw new IllegalStateException("lifetime window has no length");
    }
    return length.toMillis();
  }

  @Override
  public String toString() {
    return isLifetime() ? "lifetime" : Durations.format(length);
  }
}
