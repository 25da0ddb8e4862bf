package io.janus.jobs.cli;

import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.jobs.Failures.CliException;
import java.nio.file.Path;
import java.util.ServiceLoader;
import picocli.CommandLine.Option;

/**
 * {@code --redis URI}, or the local launcher's embedded redis-server with its data under {@code
 * <workdir>/redis}.
 */
public final class RedisOptions {
  @Option(
      names = "--redis",
      paramLabel = "URI",
      description =
          "Redis URI (redis://, rediss:// with TLS, :password@host). Default with bin/janus: an embedded redis-server with data in <workdir>/redis.")
  String uri;

  /** The server to use; closing it stops the embedded one (a no-op for an external URI). */
  public Server open(Path workdir) {
    if (uri != null) {
      return new Server(uri, null);
    }
    LocalRedis local =
        ServiceLoader.load(LocalRedis.class)
            .findFirst()
            .orElseThrow(
                () ->
                    new CliException(
                        "no --redis given, and this jar has no embedded redis-server (bin/janus has one): pass --redis redis://HOST:PORT"));
    LocalRedis.Running running = local.start(workdir.resolve("redis"));
    return new Server(running.uri(), running);
  }

  /**
   * A Redis URI, and the local server behind it if Janus started one.
   *
   * @param uri the URI clients connect to
   * @param local the embedded server Janus started, or null for an external one
   */
  public record Server(String uri, LocalRedis.Running local) implements AutoCloseable {
    /** The online store on this server, as the jobs take it. */
    public OnlineStoreFactory stores() {
      return RedisOnlineStore.factory(uri);
    }

    /** True when Janus started this server itself (so it may be cleared freely). */
    public boolean isEmbedded() {
      return local != null;
    }

    @Override
    public void close() {
      if (local != null) local.close();
    }
  }
}
