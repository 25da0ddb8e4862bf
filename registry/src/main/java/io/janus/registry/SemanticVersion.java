package io.janus.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model version number {@code MAJOR.MINOR.PATCH}, ordered numerically.
 *
 * @param major incompatible changes (other inputs or outputs)
 * @param minor compatible improvements (e.g. new training data)
 * @param patch retrains
 */
public record SemanticVersion(int major, int minor, int patch)
    implements Comparable<SemanticVersion> {
  private static final Pattern FORM = Pattern.compile("(\\d{1,6})\\.(\\d{1,6})\\.(\\d{1,6})");

  /** The first version of a model. */
  public static final SemanticVersion FIRST = new SemanticVersion(1, 0, 0);

  /** Which part a new version raises. */
  public enum Bump {
    /** {@code 1.2.3 → 1.2.4} (the default). */
    PATCH,
    /** {@code 1.2.3 → 1.3.0}. */
    MINOR,
    /** {@code 1.2.3 → 2.0.0}. */
    MAJOR
  }

  /**
   * Parses {@code 1.2.3}.
   *
   * @param text the version
   * @return the version
   */
  public static SemanticVersion parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "version '" + text + "' is not MAJOR.MINOR.PATCH (e.g. 1.0.2)");
    }
    return new SemanticVersion(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  /**
   * The next version after this one.
   *
   * @param bump which part to raise
   * @return the next version
   */
  public SemanticVersion next(Bump bump) {
    return switch (bump) {
      case PATCH -> new SemanticVersion(major, minor, patch + 1);
      case MINOR -> new SemanticVersion(major, minor + 1, 0);
      case MAJOR -> new SemanticVersion(major + 1, 0, 0);
    };
  }

  @Override
  public int compareTo(SemanticVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) c = Integer.compare(minor, o.minor);
    return c == 0 ? Integer.compare(patch, o.patch) : c;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
