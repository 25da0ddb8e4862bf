package io.janus.registry;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a model version is in its lifecycle: {@code NONE → STAGING → PRODUCTION → ARCHIVED}. A
 * model has at most one {@code PRODUCTION} version; archived versions never come back.
 */
public enum Stage {
  /** Registered, not yet promoted. */
  NONE,
  /** Being tried. */
  STAGING,
  /** The version batch prediction and serving use by default (one per model). */
  PRODUCTION,
  /** Retired: its feature snapshots are no longer pinned and it can no longer be promoted. */
  ARCHIVED;

  /** The lower-case name used on the command line and in JSON. */
  @JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The stage named {@code label} (any case).
   *
   * @param label e.g. {@code staging}
   * @return the stage
   */
  public static Stage of(String label) {
    for (Stage s : values()) if (s.name().equalsIgnoreCase(label)) return s;
    throw new IllegalArgumentException(
        "unknown stage '" + label + "' (expected none, staging, production or archived)");
  }
}
