package io.janus.jobs.cli;

import io.janus.engine.online.OnlineStoreFactory;
import io.janus.engine.online.redis.RedisOnlineStore;
import io.janus.jobs.Failures.CliException;
import io.janus.jobs.config.JanusConfig;
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
          "Redis URI (redis://, rediss:// with TLS; redis-cluster://HOST:PORT[,HOST:PORT…] or rediss-cluster:// for a Redis Cluster), else JANUS_REDIS_URI, else the config's redis.uri. Default with bin/janus: an embedded redis-server with data in <workdir>/redis. Keep passwords out of it: --redis-password-file.")
  String uri;

  @Option(
      names = "--redis-password-file",
      paramLabel = "FILE",
      description =
          "File holding the Redis password (else the config's redis.password_file): kept out of ps, shell history and logs.")
  Path passwordFile;

  /**
   * The server to use: {@code --redis}, else the configured one ({@code JANUS_REDIS_URI} or the
   * config file), with the password from {@code --redis-password-file} or the configured file; else
   * the embedded one, which closing the server stops.
   */
  public Server open(JanusConfig config) {
    return open(config.workdir(), config.redis());
  }

  /** The server to use, without a configuration: {@code --redis} or the embedded one. */
  public Server open(Path workdir) {
    return open(workdir, new JanusConfig.Redis(null, null));
  }

  private Server open(Path workdir, JanusConfig.Redis configured) {
    String given = uri != null ? uri : configured.uri();
    if (uri != null && hasPassword(uri))
      System.err.println(
          "warning: --redis carries a password, which other users see in ps and shell history;"
              + " use --redis-password-file, JANUS_REDIS_URI or the config file's redis section");
    Path pwFile =
        passwordFile != null
            ? passwordFile
            : configured.passwordFile() == null ? null : Path.of(configured.passwordFile());
    if (given != null) {
      String full = pwFile == null ? given : withPassword(given, pwFile);
      try (RedisOnlineStore probe = new RedisOnlineStore(full)) {
        probe.evictionRisk().ifPresent(w -> System.err.println("warning: " + w));
      } catch (RuntimeException e) {
        // Unreachable now: the job reports it, with its own retries.
      }
      return new Server(full, null);
    }
    if (pwFile != null)
      throw new CliException(
          "--redis-password-file "
              + pwFile
              + ": no Redis to use it with (the embedded one makes its own); give --redis or"
              + " JANUS_REDIS_URI");
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

  static boolean hasPassword(String uri) {
    if (RedisOnlineStore.isCluster(uri)) {
      String authority = uri.substring(uri.indexOf("://") + 3);
      int at = authority.lastIndexOf('@');
      return at > 0 && authority.substring(0, at).contains(":");
    }
    try {
      String info = java.net.URI.create(uri).getRawUserInfo();
      return info != null && !info.isEmpty();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code uri} with the password held by {@code file} (user kept, if any). */
  static String withPassword(String uri, Path file) {
    String password;
    try {
      password = java.nio.file.Files.readString(file).strip();
    } catch (java.io.IOException e) {
      throw new CliException("--redis-password-file " + file + ": cannot read it (" + e + ")");
    }
    if (password.isEmpty())
      throw new CliException("--redis-password-file " + file + ": the file is empty");
    if (RedisOnlineStore.isCluster(uri)) {
      if (hasPassword(uri))
        throw new CliException(
            "--redis-password-file "
                + file
                + ": the Redis URI already carries a password; keep one of the two");
      int start = uri.indexOf("://") + 3;
      String authority = uri.substring(start);
      int at = authority.lastIndexOf('@');
      String user = at < 0 ? "" : authority.substring(0, at);
      String encoded =
          java.net.URLEncoder.encode(password, java.nio.charset.StandardCharsets.UTF_8)
              .replace("+", "%20");
      return uri.substring(0, start) + user + ":" + encoded + "@" + authority.substring(at + 1);
    }
    try {
      java.net.URI u = java.net.URI.create(uri);
      String info = u.getUserInfo();
      if (info != null && info.contains(":"))
        throw new CliException(
            "--redis-password-file "
                + file
                + ": the Redis URI already carries a password; keep one of the two");
      if (u.getHost() == null)
        throw new CliException("--redis " + redact(uri) + ": expected scheme://host:port");
      return new java.net.URI(
              u.getScheme(),
              (info == null ? "" : info) + ":" + password,
              u.getHost(),
              u.getPort(),
              u.getPath(),
              u.getQuery(),
              u.getFragment())
          .toString();
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new CliException("--redis " + redact(uri) + ": not a URI");
    }
  }

  /** A URI without what may be secret, for messages. */
  static String redact(String uri) {
    return RedisOnlineStore.factory(uri).toString();
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

    /** The server without its password, for messages. */
    @Override
    public String toString() {
      return stores().toString();
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
