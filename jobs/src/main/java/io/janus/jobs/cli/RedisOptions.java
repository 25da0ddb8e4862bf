package io.janus.jobs.cli;

import io.janus.engine.online.EmbeddedRedis;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --redis URI}, or the embedded redis-server with its data under {@code <workdir>/redis}. */
public final class RedisOptions {
  @Option(names = "--redis", paramLabel = "URI", description = "Redis URI (redis://, rediss:// with TLS, :password@host). Default: an embedded redis-server with data in <workdir>/redis.")
  String uri;

  /** The server to use; closing it stops the embedded one (a no-op for an external URI). */
  public Server open(Path workdir) {
    if (uri != null) {
      return new Server(uri, null);
    }
    EmbeddedRedis embedded = EmbeddedRedis.start(workdir.resolve("redis"));
    return new Server(embedded.uri(), embedded);
  }

  /** A Redis URI, and the embedded server behind it if Janus started one. */
  public record Server(String uri, EmbeddedRedis embedded) implements AutoCloseable {
    @Override
    public void close() {
      if (embedded != null) embedded.close();
    }
  }
}
