package io.janus.jobs;

import io.janus.engine.core.definition.DefinitionException;

/** Turns an exception chain into the one line a user needs. */
public final class Failures {
  private Failures() {}

  public static String oneLine(Throwable ex) {
    Throwable t = ex;
    // User errors carry their own message; Flink and Iceberg wrap the real cause deep down.
    while (t.getCause() != null
        && t.getCause() != t
        && !(t instanceof DefinitionException)
        && !(t instanceof CliException)) {
      if (t instanceof IllegalArgumentException && t.getMessage() != null) break;
      t = t.getCause();
    }
    String msg = t.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = t.getClass().getSimpleName();
    }
    return msg.replaceAll("\\s*\\n\\s*", " ");
  }

  /** A failure whose message is already what the user should see. */
  public static final class CliException extends RuntimeException {
    public CliException(String message) {
      super(message);
    }
  }
}
