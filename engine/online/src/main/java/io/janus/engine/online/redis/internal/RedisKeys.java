package io.janus.engine.online.redis.internal;

/** How a group's values are laid out as Redis keys: {@code <group>:<entity key>}. */
public final class RedisKeys {
  private RedisKeys() {}

  /**
   * The SCAN MATCH pattern for a group's keys: glob characters in the group name match literally.
   */
  public static String matchPattern(String group) {
    StringBuilder b = new StringBuilder(group.length() + 2);
    for (int i = 0; i < group.length(); i++) {
      char c = group.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') b.append('\\');
      b.append(c);
    }
    return b.append(":*").toString();
  }
}
