package io.janus.engine.compute;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.definition.SourceDefinition;
import io.janus.engine.definition.SourceField;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Parses one JSON event (a line of a file, a Kafka value) against a source definition. A malformed
 * event is not an exception: the result carries a reason naming the field and the bad value, so the
 * caller can route it to dead letters.
 */
public final class EventParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SourceDefinition source;
  private final List<SourceField> fields;
  private final String[][] paths;
  private final int timeIndex;
  private final int idIndex;

  public EventParser(SourceDefinition source) {
    this.source = source;
    this.fields = source.fields();
    this.paths = fields.stream().map(f -> f.name().split("\\.")).toArray(String[][]::new);
    this.timeIndex = source.indexOf(source.eventTime());
    this.idIndex = source.indexOf(source.eventId());
  }

  /** The outcome of parsing one payload: an event, or the reason it is malformed. */
  public record Result(Event event, String error) {
    public boolean ok() {
      return event != null;
    }
  }

  public Result parse(String payload) {
    if (payload == null || payload.isBlank()) {
      return new Result(null, "empty payload");
    }
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      return new Result(null, "not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      return new Result(null, "not a JSON object");
    }
    Object[] values = new Object[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      SourceField f = fields.get(i);
      JsonNode node = root;
      for (String p : paths[i]) {
        node = node == null ? null : node.get(p);
      }
      if (node == null || node.isNull()) {
        if (f.required()) {
          return new Result(null, "missing required field '" + f.name() + "'");
        }
        continue;
      }
      String error = null;
      switch (f.type()) {
        case STRING -> {
          if (node.isTextual()) {
            values[i] = node.textValue();
            if (!f.allowed().isEmpty() && !f.allowed().contains(node.textValue())) {
              error = "field '" + f.name() + "' has value '" + node.textValue() + "', expected one of " + f.allowed();
            }
          } else if (node.isNumber()) {
            values[i] = node.asText();
          } else {
            error = "field '" + f.name() + "' must be a string, got " + node;
          }
        }
        case LONG -> {
          if (node.canConvertToLong() && node.isIntegralNumber()) values[i] = node.longValue();
          else error = "field '" + f.name() + "' must be a whole number, got " + node;
        }
        case DOUBLE -> {
          if (node.isNumber()) values[i] = node.doubleValue();
          else error = "field '" + f.name() + "' must be a number, got " + node;
        }
        case BOOLEAN -> {
          if (node.isBoolean()) values[i] = node.booleanValue();
          else error = "field '" + f.name() + "' must be true or false, got " + node;
        }
        case TIMESTAMP -> {
          Long ms = node.isTextual() ? parseTime(node.textValue()) : (node.isIntegralNumber() ? node.longValue() : null);
          if (ms == null) error = "field '" + f.name() + "' must be an ISO-8601 timestamp, got " + node;
          else values[i] = ms;
        }
      }
      if (error != null) {
        return new Result(null, error);
      }
    }
    return new Result(new Event((Long) values[timeIndex], (String) values[idIndex], values), null);
  }

  /** ISO-8601 instant or offset date-time to epoch ms; null when it is neither. */
  public static Long parseTime(String text) {
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  public SourceDefinition source() {
    return source;
  }
}
