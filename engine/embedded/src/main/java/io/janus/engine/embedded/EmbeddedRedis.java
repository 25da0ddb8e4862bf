package io.janus.engine.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import redis.embedded.RedisServer;

/**
 * A real redis-server (6.2, shipped inside the embedded-redis jar) bound to 127.0.0.1, keeping its
 * data in a directory with append-only persistence so values survive from one command to the next.
 * One process at a time may use a directory (a file lock says who). The server requires a password,
 * generated once and kept in {@code <dir>/password} (readable by its owner only), so other local
 * users cannot read, flush or reconfigure it. Its pid goes to {@code <dir>/redis.pid}: a server
 * left running by a process that was killed (its file lock is free again) is stopped before a new
 * one starts, so two servers never share one append-only file.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(EmbeddedRedis.class);
  static final String PASSWORD_FILE = "password";
  static final String PID_FILE = "redis.pid";
  private final RedisServer server;
  private final int port;
  private final String password;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private EmbeddedRedis(
      RedisServer server, int port, String password, FileChannel lockChannel, FileLock lock) {
    this.server = server;
    this.port = port;
    this.password = password;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Starts a server on a free port with its data in {@code dir}. */
  public static EmbeddedRedis start(Path dir) {
    return start(dir, 0);
  }

  /** Starts a server on {@code port} (0 = a free one) with its data in {@code dir}. */
  public static EmbeddedRedis start(Path dir, int port) {
    try {
      Files.createDirectories(dir);
      FileChannel ch =
          FileChannel.open(
              dir.resolve("janus.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null; // held by this very process
      }
      if (lock == null) {
        ch.close();
        throw new IllegalStateException(
            "another janus process uses the embedded Redis in "
                + dir
                + "; pass --redis URI to share a server");
      }
      stopLeftover(dir.resolve(PID_FILE));
      String password = password(dir.resolve(PASSWORD_FILE));
      if (port == 0) {
        port = freePort();
      }
      RedisServer server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("dir " + dir.toAbsolutePath())
              .setting("pidfile " + dir.resolve(PID_FILE).toAbsolutePath())
              .setting("requirepass " + password)
              .setting("appendonly yes")
              .setting("appendfsync everysec")
              .setting("save \"\"")
              .build();
      server.start();
      return new EmbeddedRedis(server, port, password, ch, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Redis in " + dir, e);
    }
  }

  /** The URI clients connect with, password included (treat it as a secret). */
  public String uri() {
    return "redis://:" + password + "@127.0.0.1:" + port;
  }

  /** The server's password. */
  public String password() {
    return password;
  }

  /**
   * The password in {@code file}, generated (32 random bytes, hex) and written readable by its
   * owner only when the file does not exist.
   */
  static String password(Path file) throws IOException {
    if (Files.exists(file)) return Files.readString(file).strip();
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    String pw = java.util.HexFormat.of().formatHex(bytes);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(
          tmp,
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp); // not a POSIX file system
    }
    Files.writeString(tmp, pw);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return pw;
  }

  /**
   * Stops the redis-server named by {@code pidFile}, if it still runs: one left by a process that
   * was killed (this process holds the directory's lock, so no live one uses it).
   */
  static void stopLeftover(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) return;
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (NumberFormatException e) {
      Files.delete(pidFile);
      return;
    }
    java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isPresent()
        && h.get().isAlive()
        && h.get().info().command().map(c -> c.contains("redis-server")).orElse(false)) {
      LOG.warn(
          "stopping redis-server {} left running on {} by a process that ended without stopping it",
          pid,
          pidFile.getParent());
      h.get().destroy(); // SIGTERM: Redis flushes its append-only file and exits
      try {
        h.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        h.get().destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stopping redis-server " + pid, e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException(e);
      }
    }
    Files.deleteIfExists(pidFile);
  }

  public int port() {
    return port;
  }

  /** Stops the server abruptly, as a crash would (the append-only file is kept). */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException ignored) {
        // the lock goes with the process anyway
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
