package io.janus.monitoring.notify;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends each notification as one JSON object per line; a file lock keeps lines of concurrent runs
 * whole.
 */
public final class JsonLinesNotifier implements Notifier {
  private final Path file;

  public JsonLinesNotifier(Path file) {
    this.file = file;
  }

  @Override
  public void send(Notification n) throws IOException {
    byte[] line = (n.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    try (FileChannel ch =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        FileLock ignored = ch.lock()) {
      ch.write(java.nio.ByteBuffer.wrap(line));
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
