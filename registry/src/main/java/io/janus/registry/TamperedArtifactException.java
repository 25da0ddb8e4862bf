package io.janus.registry;

/** A stored artifact whose SHA-256 is not the one registered: it is never loaded. */
public final class TamperedArtifactException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  TamperedArtifactException(ModelVersion version, String actual) {
    super(
        "artifact of "
            + version.ref()
            + " at "
            + version.artifact()
            + " has sha256 "
            + actual
            + ", not the registered "
            + version.sha256()
            + ": refusing to load a tampered artifact");
  }
}
