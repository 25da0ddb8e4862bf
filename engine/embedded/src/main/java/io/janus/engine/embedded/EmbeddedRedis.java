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
 * One process at a time may use a directory (a file lock says who).
 */
public final class EmbeddedRedis implements AutoCloseable {
  private final RedisServer server;
  private final int port;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private EmbeddedRedis(RedisServer server, int port, FileChannel lockChannel, FileLock lock) {
    this.server = server;
    this.port = port;
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
      if (port == 0) {
        port = freePort();
      }
      RedisServer server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("dir " + dir.toAbsolutePath())
              .setting("appendonly yes")
              .setting("appendfsync everysec")
              .setting("save \"\"")
              .build();
      server.start();
      return new EmbeddedRedis(server, port, ch, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Redis in " + dir, e);
    }
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
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
