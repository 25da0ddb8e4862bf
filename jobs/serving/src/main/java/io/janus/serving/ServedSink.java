package io.janus.serving;

import io.janus.engine.core.served.ServedValue;
import java.util.List;

/**
 * Where the feature server's served-feature log goes (the command line appends it to the Iceberg
 * table {@code janus.served_features}). Called from one background thread, never on the request
 * path; a failure keeps the batch for the next attempt.
 */
@FunctionalInterface
public interface ServedSink {
  /**
   * Stores one batch.
   *
   * @param batch values served, oldest first
   * @throws Exception when the batch could not be stored (it is offered again later)
   */
  void write(List<ServedValue> batch) throws Exception;
}
