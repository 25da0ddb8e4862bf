package io.janus.monitoring.notify;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;

/**
 * Something people must act on, sent to every configured {@link Notifier}. Serialized by Jackson:
 * {@code kind}, {@code group}, {@code summary}, {@code at} (ISO-8601 UTC), {@code details}.
 *
 * @param kind {@code audit_rejected} or {@code parity_failed}
 * @param group the feature group
 * @param summary one line for people
 * @param details the figures behind it: a record or map Jackson can write
 * @param at when it happened
 */
@JsonPropertyOrder({"kind", "group", "summary", "at", "details"})
public record Notification(String kind, String group, String summary, Object details, Instant at) {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** A backfill's audit rejected its branch; main was not touched. */
  public static final String AUDIT_REJECTED = "audit_rejected";

  /** A parity check found more mismatches than allowed. */
  public static final String PARITY_FAILED = "parity_failed";

  /** The notification as one JSON object (the file line and the webhook body are the same). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a notification as JSON", e);
    }
  }
}
