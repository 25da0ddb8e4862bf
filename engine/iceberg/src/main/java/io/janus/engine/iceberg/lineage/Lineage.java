package io.janus.engine.iceberg.lineage;

import io.janus.engine.core.definition.FeatureGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What every snapshot Janus commits carries in its summary (DESIGN §5): run id, git commit and
 * dirty flag, user, definition (name:version), its fingerprint, the range and the engine version.
 */
public record Lineage(
    String runId,
    String gitCommit,
    boolean gitDirty,
    String user,
    String definition,
    String fingerprint,
    String range,
    String engineVersion,
    String job)
    implements Serializable {

  public static final String RUN_ID = "janus.run-id";
  public static final String GIT_COMMIT = "janus.git-commit";
  public static final String GIT_DIRTY = "janus.git-dirty";
  public static final String USER = "janus.user";
  public static final String DEFINITION = "janus.definition";
  public static final String FINGERPRINT = "janus.fingerprint";
  public static final String RANGE = "janus.range";
  public static final String ENGINE_VERSION = "janus.engine-version";
  public static final String JOB = "janus.job";

  /**
   * Lineage of a run of {@code job} over {@code group} (may be null for group-less jobs such as
   * ingest).
   */
  public static Lineage capture(
      String runId, String job, FeatureGroup group, String range, Path workingDir) {
    GitFacts git = GitFacts.detect(workingDir);
    return new Lineage(
        runId,
        git.commit(),
        git.dirty(),
        currentUser(),
        group == null ? "" : group.qualifiedName(),
        group == null ? "" : group.fingerprint(),
        range == null ? "" : range,
        currentEngineVersion(),
        job);
  }

  /** The summary properties, by their names. */
  public Map<String, String> properties() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(RUN_ID, runId);
    m.put(GIT_COMMIT, gitCommit);
    m.put(GIT_DIRTY, Boolean.toString(gitDirty));
    m.put(USER, user);
    if (!definition.isEmpty()) m.put(DEFINITION, definition);
    if (!fingerprint.isEmpty()) m.put(FINGERPRINT, fingerprint);
    if (!range.isEmpty()) m.put(RANGE, range);
    m.put(ENGINE_VERSION, engineVersion);
    m.put(JOB, job);
    return m;
  }

  /** The user: {@code JANUS_USER} if set, else the OS user. */
  public static String currentUser() {
    String u = System.getenv("JANUS_USER");
    return u != null && !u.isBlank() ? u : System.getProperty("user.name", "unknown");
  }

  /** Version of the Janus engine on the classpath. */
  public static String currentEngineVersion() {
    try (InputStream in =
        Lineage.class.getClassLoader().getResourceAsStream("janus/engine.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "unknown";
  }
}
