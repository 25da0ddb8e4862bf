package io.janus.monitoring.notify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every configured destination. A destination that fails is reported (returned and logged) and does
 * not stop the others: the run the notification is about has already ended the way it ended.
 */
public final class Notifiers {
  private static final Logger LOG = LoggerFactory.getLogger(Notifiers.class);
  private final List<Notifier> destinations;

  public Notifiers(List<Notifier> destinations) {
    this.destinations = List.copyOf(destinations);
  }

  /** Sends to every destination; returns one line per destination that failed. */
  public List<String> send(Notification n) {
    List<String> failures = new ArrayList<>();
    for (Notifier d : destinations) {
      try {
        d.send(n);
        LOG.info("notified {} of {} for {}", d, n.kind(), n.group());
      } catch (IOException | RuntimeException e) {
        failures.add("could not notify " + d + " of " + n.kind() + ": " + e.getMessage());
      }
    }
    return failures;
  }
}
