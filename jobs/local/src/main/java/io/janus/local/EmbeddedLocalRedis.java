package io.janus.local;

import io.janus.engine.embedded.EmbeddedRedis;
import io.janus.jobs.cli.LocalRedis;
import java.nio.file.Path;

/**
 * The embedded redis-server as the local launcher's default online store (registered as a service).
 */
public final class EmbeddedLocalRedis implements LocalRedis {
  @Override
  public Running start(Path dataDir) {
    EmbeddedRedis redis = EmbeddedRedis.start(dataDir);
    return new Running() {
      @Override
      public String uri() {
        return redis.uri();
      }

      @Override
      public void close() {
        redis.close();
      }
    };
  }
}
