package io.janus.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON output of the commands: ISO-8601 UTC instants, ISO dates, one object per line where rows are
 * listed.
 */
public final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  public static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(plain(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(plain(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Instants and dates as strings, recursively through maps. */
  @SuppressWarnings("unchecked")
  static Object plain(Object v) {
    if (v instanceof Instant || v instanceof LocalDate) return v.toString();
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<Object, Object>) m).forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
      return out;
    }
    return v;
  }
}
