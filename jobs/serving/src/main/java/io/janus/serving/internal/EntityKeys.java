package io.janus.serving.internal;

import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.online.OnlineRowEncoder;
import java.util.List;
import java.util.Map;

/**
 * Entity key values from requests, checked before they name a Redis key: a value is a plain value
 * of the entity (1 to 512 characters, no control characters such as CR or LF, not the key-part
 * separator {@code |}, and for groups keyed by several fields no {@code ,}), so no request can
 * address another key. Glob characters need no refusal: reads use exact key names, never patterns.
 */
public final class EntityKeys {
  /** The longest key value accepted. */
  public static final int MAX_LENGTH = 512;

  private EntityKeys() {}

  /** A request that cannot be answered as asked: the message names the field and the value. */
  public static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadRequest(String message) {
      super(message);
    }
  }

  /**
   * The key of {@code group} for key values given in the order of its entity fields, as {@code
   * OnlineReader.Lookup} takes it (values joined by {@code ,}).
   *
   * @throws BadRequest when a value is not a plain value or their number is wrong
   */
  public static String key(FeatureGroup group, List<String> values) {
    List<String> entity = group.entity();
    if (values.size() != entity.size())
      throw new BadRequest(
          "group "
              + group.name()
              + " is keyed by "
              + String.join(", ", entity)
              + ": expected "
              + entity.size()
              + " key value(s) in the path, got "
              + values.size());
    for (int i = 0; i < values.size(); i++) check(group, entity.get(i), values.get(i));
    return String.join(",", values);
  }

  /**
   * The key of {@code group} for an entity given as field → value, as {@code OnlineReader.Lookup}
   * takes it.
   *
   * @param where where the entity is in the request, for messages ({@code entities[3]})
   * @throws BadRequest when a field is missing or a value is not a plain value
   */
  public static String key(FeatureGroup group, Map<String, ?> entity, String where) {
    String[] parts = new String[group.entity().size()];
    for (int i = 0; i < parts.length; i++) {
      String field = group.entity().get(i);
      Object v = entity.get(field);
      if (v == null)
        throw new BadRequest(
            where + ": missing '" + field + "', a key field of group " + group.name());
      if (!(v instanceof String) && !(v instanceof Number) && !(v instanceof Boolean))
        throw new BadRequest(where + "." + field + ": expected a string or a number, got " + v);
      parts[i] = check(group, where + "." + field, v.toString());
    }
    return String.join(",", parts);
  }

  private static String check(FeatureGroup group, String field, String value) {
    if (value.isEmpty() || value.length() > MAX_LENGTH)
      throw new BadRequest(
          field + ": a key value has 1 to " + MAX_LENGTH + " characters, got " + value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c))
        throw new BadRequest(
            field + ": control character U+" + String.format("%04X", (int) c) + " in a key value");
      if (OnlineRowEncoder.KEY_SEPARATOR.indexOf(c) >= 0 || (c == ',' && group.entity().size() > 1))
        throw new BadRequest(
            field + ": '" + c + "' separates key parts, not allowed in a key value");
    }
    return value;
  }
}
