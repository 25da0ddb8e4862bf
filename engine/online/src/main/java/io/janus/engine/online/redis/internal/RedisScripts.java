package io.janus.engine.online.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Lua scripts the Redis store runs, kept as resource files next to this class. */
public final class RedisScripts {
  private RedisScripts() {}

  /** The text of script {@code name} (e.g. {@code guarded_put.lua}). */
  public static String load(String name) {
    try (InputStream in = RedisScripts.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing Redis script resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Redis script " + name, e);
    }
  }
}
