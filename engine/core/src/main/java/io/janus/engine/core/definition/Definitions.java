package io.janus.engine.core.definition;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * The sources and feature groups known to a run: the shipped ones plus those of {@code
 * --definitions}.
 */
public final class Definitions implements Serializable {
  private final Map<String, SourceDefinition> sources;
  private final Map<String, FeatureGroup> groups;

  Definitions(Map<String, SourceDefinition> sources, Map<String, FeatureGroup> groups) {
    this.sources = Collections.unmodifiableMap(new TreeMap<>(sources));
    this.groups = Collections.unmodifiableMap(new TreeMap<>(groups));
  }

  public Map<String, SourceDefinition> sources() {
    return sources;
  }

  public Map<String, FeatureGroup> groups() {
    return groups;
  }

  /** The group with this name; fails with the list of known groups. */
  public FeatureGroup group(String name) {
    FeatureGroup g = groups.get(name);
    if (g == null) {
      throw new NoSuchElementException(
          "unknown feature group '"
              + name
              + "' (known: "
              + String.join(", ", groups.keySet())
              + ")");
    }
    return g;
  }

  /** The source with this name; fails with the list of known sources. */
  /** The groups that read {@code source}, by name. */
  public java.util.List<FeatureGroup> groupsOf(String source) {
    return groups().values().stream()
        .filter(g -> g.source().name().equals(source))
        .sorted(java.util.Comparator.comparing(FeatureGroup::name))
        .toList();
  }

  public SourceDefinition source(String name) {
    SourceDefinition s = sources.get(name);
    if (s == null) {
      throw new NoSuchElementException(
          "unknown source '" + name + "' (known: " + String.join(", ", sources.keySet()) + ")");
    }
    return s;
  }
}
