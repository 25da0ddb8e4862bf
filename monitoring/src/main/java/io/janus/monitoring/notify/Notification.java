package io.janus.monitoring.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something people must act on, sent to every configured {@link Notifier}.
 *
 * @param kind {@code audit_rejected} or {@code parity_failed}
 * @param group the feature group
 * @param summary one line for people
 * @param details the figures behind it (JSON-serializable values)
 * @param at when it happened
 */
public record Notification(
    String kind, String group, String summary, Map<String, Object> details, Instant at) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A backfill's audit rejected its branch; main was not touched. */
  public static final String AUDIT_REJECTED = "audit_rejected";

  /** A parity check found more mismatches than allowed. */
  public static final String PARITY_FAILED = "parity_failed";

  public Notification {
    // Ordered as given, null values allowed (JSON null).
    details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** The notification as one JSON object (the file line and the webhook body are the same). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a notification as JSON", e);
    }
  }

  /** The JSON shape: kind, group, summary, at (ISO-8601 UTC), details. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("group", group);
    m.put("summary", summary);
    m.put("at", at.toString());
    m.put("details", details);
    return m;
  }
}
