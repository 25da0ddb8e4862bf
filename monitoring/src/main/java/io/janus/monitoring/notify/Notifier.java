package io.janus.monitoring.notify;

import java.io.IOException;

/** A destination for {@link Notification}s: a JSON-lines file, a webhook. */
public interface Notifier {
  /** Delivers one notification or fails with a message naming the destination. */
  void send(Notification n) throws IOException;
}
