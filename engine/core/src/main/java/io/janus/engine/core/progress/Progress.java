package io.janus.engine.core.progress;

import java.io.Serializable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a long-running count every so often with its rate, from inside a Flink task. */
public final class Progress implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  private static final long INTERVAL_MS = 10_000;

  private final String what;
  private transient long count;
  private transient long started;
  private transient long lastLog;

  /**
   * @param what e.g. "backfill user_activity rows written (subtask 1/2)"
   */
  public Progress(String what) {
    this.what = what;
  }

  /** Counts one; logs at most every ten seconds. */
  public void tick() {
    count++;
    if ((count & 0x3FFF) == 0) {
      long now = System.currentTimeMillis();
      if (started == 0) {
        started = now;
        lastLog = now;
      } else if (now - lastLog >= INTERVAL_MS) {
        lastLog = now;
        LOG.info("{}: {} so far ({}/s)", what, count, count * 1000 / Math.max(1, now - started));
      }
    }
  }
}
