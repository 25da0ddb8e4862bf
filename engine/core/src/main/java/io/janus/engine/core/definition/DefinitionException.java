package io.janus.engine.core.definition;

/** A definition is invalid. The message names the file, the field and the problem. */
public class DefinitionException extends RuntimeException {
  private final String origin;
  private final String field;

  public DefinitionException(String origin, String field, String problem) {
    super(origin + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + problem);
    this.origin = origin;
    this.field = field;
  }

  /** The file or resource the definition came from. */
  public String origin() {
    return origin;
  }

  /** The path of the offending field, e.g. {@code features[2].window}; may be empty. */
  public String field() {
    return field;
  }
}
