package io.janus.jobs.cli;

import java.nio.file.Path;

/**
 * The online store commands fall back to when no {@code --redis} is given. The local launcher
 * ({@code bin/janus}) registers an embedded redis-server through {@link java.util.ServiceLoader};
 * the {@code flink run} jar carries none, so on a cluster {@code --redis} is required.
 */
public interface LocalRedis {
  /**
   * Starts a redis-server keeping its data in {@code dataDir}.
   *
   * @param dataDir where the server keeps its append-only file
   * @return the running server; closing it stops the server
   */
  Running start(Path dataDir);

  /** A running local server. */
  interface Running extends AutoCloseable {
    /** The URI clients connect to. */
    String uri();

    /** Stops the server. */
    @Override
    void close();
  }
}
