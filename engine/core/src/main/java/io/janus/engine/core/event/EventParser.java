package io.janus.engine.core.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.janus.engine.core.definition.Durations;
import io.janus.engine.core.definition.SourceDefinition;
import io.janus.engine.core.definition.SourceField;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
  private final PathNode tree;
  private int nodeCount;

  public EventParser(SourceDefinition source) {
    this.source = source;
    this.fields = source.fields();
    this.paths = fields.stream().map(f -> f.name().split("\\.")).toArray(String[][]::new);
    this.timeIndex = source.indexOf(source.eventTime());
    this.idIndex = source.indexOf(source.eventId());
    this.tree = new PathNode(nodeCount++);
    for (int i = 0; i < paths.length; i++) {
      PathNode n = tree;
      for (String part : paths[i]) {
        n = n.children.computeIfAbsent(part, k -> new PathNode(nodeCount++));
      }
      n.field = i;
    }
  }

  /**
   * The declared field paths as a tree of names: a field is a leaf, a nested object an inner node.
   */
  private static final class PathNode {
    final int id;
    final Map<String, PathNode> children = new HashMap<>();
    int field = -1;

    PathNode(int id) {
      this.id = id;
    }
  }

  /** The outcome of parsing one payload: an event, or the reason it is malformed. */
  public record Result(Event event, String error) {
    public boolean ok() {
      return event != null;
    }
  }

  /** What a Kafka record without a value (a tombstone) is handed on as. */
  public static final String NULL_VALUE = "\u0000janus:null-value";

  /** Event times outside 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z are refused. */
  public static final long MIN_TIME = -62_135_596_800_000L;

  public static final long MAX_TIME = 253_402_300_799_999L;

  /** How much of an oversized payload a dead letter keeps. */
  public static final int OVERSIZED_PREFIX = 4096;

  /** Parses one payload against the source's schema and limits, without a clock. */
  public Result parse(String payload) {
    return parse(payload, Long.MAX_VALUE);
  }

  /**
   * Parses one payload against the source's schema and limits; with a clock, an event time more
   * than the source's {@code max_future_skew} ahead of {@code nowMillis} is refused too.
   *
   * @param payload the JSON text
   * @param nowMillis the processing (or ingest) clock, {@code Long.MAX_VALUE} for none
   * @return the event, or the reason naming the field, the value and the rule
   */
  public Result parse(String payload, long nowMillis) {
    if (payload == null || NULL_VALUE.equals(payload)) {
      return new Result(null, "null value (a Kafka tombstone): not an event");
    }
    if (payload.isBlank()) {
      return new Result(null, "empty payload");
    }
    long bytes = oversized(payload);
    if (bytes > 0) {
      return new Result(
          null,
          "payload of "
              + bytes
              + " bytes is over max_payload_bytes ("
              + source.maxPayloadBytes()
              + "); the dead letter keeps its first "
              + OVERSIZED_PREFIX
              + " characters");
    }
    Event event = stream(payload);
    Result r = event != null ? new Result(event, null) : parseTree(payload);
    if (r.ok() && nowMillis != Long.MAX_VALUE) {
      long skew = source.maxFutureSkew().toMillis();
      if (r.event().ts > nowMillis + skew) {
        return new Result(
            null,
            "field '"
                + source.eventTime()
                + "' has value "
                + Instant.ofEpochMilli(r.event().ts)
                + ", more than max_future_skew ("
                + Durations.format(source.maxFutureSkew())
                + ") ahead of the clock "
                + Instant.ofEpochMilli(nowMillis));
      }
    }
    return r;
  }

  /** The payload's UTF-8 size when it is over the source's cap, else 0. */
  public long oversized(String payload) {
    long cap = source.maxPayloadBytes();
    if ((long) payload.length() * 3 <= cap) return 0; // at most 3 bytes per UTF-16 unit
    long bytes = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return bytes > cap ? bytes : 0;
  }

  /**
   * The common case in one pass over the tokens, without building a tree: about a third of the
   * parse cost. Null whenever the payload is anything but a well-formed event (bad JSON, a wrong
   * type, a duplicate key, a missing required field...): the tree parse then gives the exact result
   * and the reason, so both paths agree by construction.
   */
  Event stream(String payload) {
    Object[] values = new Object[fields.size()];
    boolean[] seen = new boolean[nodeCount];
    try (JsonParser p = JSON.getFactory().createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT || !streamObject(p, tree, values, seen))
        return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null && (i == timeIndex || i == idIndex || fields.get(i).required()))
        return null;
    }
    return new Event((Long) values[timeIndex], (String) values[idIndex], values);
  }

  private boolean streamObject(JsonParser p, PathNode node, Object[] values, boolean[] seen)
      throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      PathNode child = node.children.get(p.currentName());
      JsonToken v = p.nextToken();
      if (child == null) {
        p.skipChildren();
        continue;
      }
      if (seen[child.id]) return false; // a duplicate key: the tree keeps the last one
      seen[child.id] = true;
      if (child.field >= 0) {
        if (!assign(p, v, child.field, values)) return false;
      } else if (v != JsonToken.START_OBJECT || !streamObject(p, child, values, seen)) {
        return false;
      }
    }
    return t == JsonToken.END_OBJECT;
  }

  /** Stores a field's value; false when the token does not fit the declared type (or value set). */
  private boolean assign(JsonParser p, JsonToken v, int i, Object[] values) throws IOException {
    if (v == JsonToken.VALUE_NULL) return true;
    SourceField f = fields.get(i);
    boolean integral =
        v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    switch (f.type()) {
      case STRING -> {
        if (v != JsonToken.VALUE_STRING) return false;
        String text = p.getText();
        if (!f.allowed().isEmpty() && !f.allowed().contains(text)) return false;
        values[i] = text;
      }
      case LONG -> {
        if (!integral) return false;
        values[i] = p.getLongValue();
      }
      case DOUBLE -> {
        if (!integral && v != JsonToken.VALUE_NUMBER_FLOAT) return false;
        double d = p.getDoubleValue();
        if (!Double.isFinite(d)) return false; // the tree parse names the rule
        values[i] = d;
      }
      case BOOLEAN -> {
        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) return false;
        values[i] = v == JsonToken.VALUE_TRUE;
      }
      case TIMESTAMP -> {
        Long ms = timestampOf(p, v);
        if (ms == null || ms < MIN_TIME || ms > MAX_TIME) return false;
        values[i] = ms;
      }
    }
    return true;
  }

  /**
   * An event-time value at the parser's current token: an ISO-8601 text or whole epoch
   * milliseconds; null for anything else. Shared with the per-partition watermarks of streaming
   * sources.
   */
  public static Long timestampOf(JsonParser p, JsonToken v) throws IOException {
    if (v == JsonToken.VALUE_STRING) return parseTime(p.getText());
    if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER)
      return p.getLongValue();
    return null;
  }

  /** Parses through a JSON tree: the reference behaviour, and the path for malformed payloads. */
  Result parseTree(String payload) {
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
        if (i == timeIndex) {
          return new Result(null, "missing event time field '" + f.name() + "'");
        }
        if (i == idIndex) {
          return new Result(null, "missing event id field '" + f.name() + "'");
        }
        continue;
      }
      String error = null;
      switch (f.type()) {
        case STRING -> {
          if (node.isTextual()) {
            values[i] = node.textValue();
            if (!f.allowed().isEmpty() && !f.allowed().contains(node.textValue())) {
              error =
                  "field '"
                      + f.name()
                      + "' has value '"
                      + node.textValue()
                      + "', expected one of "
                      + f.allowed();
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
          if (!node.isNumber()) error = "field '" + f.name() + "' must be a number, got " + node;
          else if (!Double.isFinite(node.doubleValue()))
            error =
                "field '"
                    + f.name()
                    + "' has value "
                    + node.asText()
                    + ": not a finite number (beyond the range of a double)";
          else values[i] = node.doubleValue();
        }
        case BOOLEAN -> {
          if (node.isBoolean()) values[i] = node.booleanValue();
          else error = "field '" + f.name() + "' must be true or false, got " + node;
        }
        case TIMESTAMP -> {
          Long ms =
              node.isTextual()
                  ? parseTime(node.textValue())
                  : (node.isIntegralNumber() ? node.longValue() : null);
          if (ms == null)
            error = "field '" + f.name() + "' must be an ISO-8601 timestamp, got " + node;
          else if (ms < MIN_TIME || ms > MAX_TIME)
            error =
                "field '"
                    + f.name()
                    + "' has value "
                    + node
                    + ", outside the supported range 0001-01-01..9999-12-31";
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
    long fast = utcInstant(text);
    if (fast != NOT_UTC_INSTANT) return fast;
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (ArithmeticException e) {
      return null; // a valid instant beyond epoch milliseconds, e.g. +300000000-01-01T00:00:00Z
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e2) {
        return null;
      }
    }
  }

  private static final long NOT_UTC_INSTANT = Long.MIN_VALUE;

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} with in-range fields, read without java.time's parser (whose
   * parse context was the largest allocation of a streaming job); anything else, including valid
   * forms this does not cover, is {@link #NOT_UTC_INSTANT} and goes to {@link Instant#parse}.
   */
  static long utcInstant(String s) {
    int n = s.length();
    if (n < 20
        || n > 30
        || s.charAt(n - 1) != 'Z'
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') return NOT_UTC_INSTANT;
    int year = digits(s, 0, 4), month = digits(s, 5, 7), day = digits(s, 8, 10);
    int hour = digits(s, 11, 13), minute = digits(s, 14, 16), second = digits(s, 17, 19);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > java.time.YearMonth.of(year, month).lengthOfMonth()
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) return NOT_UTC_INSTANT;
    int millis = 0;
    if (n > 20) {
      // A fraction of 1 to 9 digits; milliseconds are its first three, truncated as toEpochMilli
      // does.
      if (s.charAt(19) != '.' || n == 21) return NOT_UTC_INSTANT;
      for (int i = 20; i < n - 1; i++) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') return NOT_UTC_INSTANT;
        if (i < 23) millis = millis * 10 + (c - '0');
      }
      for (int i = n - 1; i < 23; i++) millis *= 10;
    }
    long days = java.time.LocalDate.of(year, month, day).toEpochDay();
    return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
  }

  /** The decimal number in {@code s[from, to)}, or -1 if a character is not a digit. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  public SourceDefinition source() {
    return source;
  }
}
