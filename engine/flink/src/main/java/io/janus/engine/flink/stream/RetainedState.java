package io.janus.engine.flink.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.janus.engine.core.definition.FeatureGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The retained state of one stream (one set of groups from one source) in its checkpoint directory:
 * Flink's retained checkpoints ({@code <dir>/<job id>/chk-<n>/_metadata}) and a record of what they
 * hold ({@code <dir>/janus-stream.json}: each group's fingerprint, the source, when that state
 * began and with which bootstrap or savepoint). It decides how a stream starts: from the latest
 * checkpoint when it holds the same groups with the same definitions from the same source, else
 * over with a bootstrap. Starting over removes nothing: checkpoints older than the new state are
 * never resumed, and the next resume removes them. Any Flink file system works ({@code file:},
 * {@code s3:}, …).
 */
public final class RetainedState {
  static final String RECORD = "janus-stream.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

  private final Path dir;

  private RetainedState(Path dir) {
    this.dir = dir;
  }

  /** The retained state in checkpoint directory {@code uri}. */
  public static RetainedState in(String uri) {
    return new RetainedState(new Path(uri));
  }

  /**
   * What a stream's state holds, written when the stream starts without resuming.
   *
   * @param fingerprints each group's definition fingerprint, by group name
   * @param source the events' origin ({@code file:…}, {@code kafka:…})
   * @param coldPath whether the job appends to the raw table (its sink has state)
   * @param startedAt epoch millis when this line of state began: older checkpoints in the directory
   *     belong to an earlier one and are never resumed
   * @param bootstrapAsOf epoch millis of the bootstrap the state began with, 0 for none
   * @param restoredFrom the savepoint the state began with, else null
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Holds(
      Map<String, String> fingerprints,
      String source,
      boolean coldPath,
      long startedAt,
      long bootstrapAsOf,
      String restoredFrom) {
    static Holds of(StreamJob job, long startedAt, long bootstrapAsOf, String restoredFrom) {
      Map<String, String> f = new LinkedHashMap<>();
      for (FeatureGroup g : job.groups()) f.put(g.name(), g.fingerprint());
      return new Holds(f, job.origin(), job.coldPath(), startedAt, bootstrapAsOf, restoredFrom);
    }

    /** Why state holding this cannot serve {@code job}, or empty when it can. */
    Optional<String> differenceFrom(StreamJob job) {
      Holds wanted = of(job, 0, 0, null);
      if (!source.equals(wanted.source))
        return Optional.of("it was read from " + source + ", not " + wanted.source);
      if (!fingerprints.keySet().equals(wanted.fingerprints.keySet()))
        return Optional.of(
            "it holds groups " + fingerprints.keySet() + ", not " + wanted.fingerprints.keySet());
      for (var e : wanted.fingerprints.entrySet()) {
        String had = fingerprints.get(e.getKey());
        if (!had.equals(e.getValue()))
          return Optional.of(
              "the definition of "
                  + e.getKey()
                  + " changed (fingerprint "
                  + had.substring(0, 12)
                  + " → "
                  + e.getValue().substring(0, 12)
                  + ")");
      }
      if (coldPath != wanted.coldPath)
        return Optional.of("the cold path was " + (coldPath ? "on" : "off") + " then");
      return Optional.empty();
    }
  }

  /**
   * How a stream starts.
   *
   * @param job the job, configured to restore or to bootstrap
   * @param message one line saying what it does and why
   */
  public record Start(StreamJob job, String message) {}

  /**
   * Resumes {@code job} from the latest checkpoint retained since its state began, if that state
   * holds the job's groups, with the same fingerprints, from the same source (else starts over with
   * a bootstrap as of {@code now}); a state that began with a savepoint and has no checkpoint yet
   * restores the savepoint again. Resuming removes the other jobs' retained checkpoints, which a
   * restored job no longer needs (it restores without claiming: its first checkpoint is complete).
   */
  public Start resumeOrBootstrap(StreamJob job, Instant now) {
    Optional<Holds> held = read();
    if (held.isEmpty()) return bootstrap(job, now, "no retained state in " + dir);
    Optional<String> why = held.get().differenceFrom(job);
    if (why.isPresent())
      return bootstrap(job, now, "the retained state in " + dir + " is not used: " + why.get());
    Optional<String> latest = latest(held.get().startedAt());
    StreamJob restored;
    String message;
    if (latest.isPresent()) {
      restored = job.withRestore(latest.get());
      message = "resumed from the retained checkpoint " + latest.get();
    } else if (held.get().restoredFrom() != null) {
      restored = job.withRestore(held.get().restoredFrom());
      message =
          "no checkpoint since the savepoint: restoring it again, " + held.get().restoredFrom();
    } else {
      return bootstrap(job, now, "no checkpoint completed since the state began");
    }
    if (held.get().bootstrapAsOf() > 0)
      restored = restored.withBootstrap(Instant.ofEpochMilli(held.get().bootstrapAsOf()));
    removeJobsOtherThan(latest.orElse(null));
    return new Start(restored, message);
  }

  /** Starts {@code job} over with a bootstrap as of {@code now}; older checkpoints are not used. */
  public Start fresh(StreamJob job, Instant now) {
    return bootstrap(job, now, "--fresh");
  }

  /**
   * Starts {@code job} from the savepoint (or checkpoint) at {@code path}; {@code job} restores it
   * itself unless {@code restoredByFlink} (as {@code flink run -s} does). A savepoint of this very
   * stream taken during its bootstrap goes on collapsing rows before the bootstrap's time.
   */
  public Start fromSavepoint(StreamJob job, String path, boolean restoredByFlink, Instant now) {
    long asOf =
        read().filter(h -> h.differenceFrom(job).isEmpty()).map(Holds::bootstrapAsOf).orElse(0L);
    write(Holds.of(job, now.toEpochMilli(), asOf, path));
    StreamJob restored = restoredByFlink ? job : job.withRestore(path);
    if (asOf > 0) restored = restored.withBootstrap(Instant.ofEpochMilli(asOf));
    return new Start(restored, "restoring the savepoint " + path);
  }

  private Start bootstrap(StreamJob job, Instant now, String why) {
    if (!job.hasHistory(now)) {
      write(Holds.of(job, now.toEpochMilli(), 0, null));
      return new Start(job, why + ": starting with empty state (the raw table holds no history)");
    }
    write(Holds.of(job, now.toEpochMilli(), now.toEpochMilli(), null));
    long from = StreamJob.historyFrom(job.groups(), now);
    String since = from == Long.MIN_VALUE ? "all of it" : "since " + Instant.ofEpochMilli(from);
    return new Start(
        job.withBootstrap(now),
        why + ": starting over, replaying the raw table first (" + since + ")");
  }

  /**
   * The newest retained checkpoint with complete metadata written at or after {@code since} (epoch
   * millis), as a URI.
   */
  public Optional<String> latest(long since) {
    try {
      FileSystem fs = dir.getFileSystem();
      if (!fs.exists(dir)) return Optional.empty();
      FileStatus best = null;
      for (FileStatus job : list(fs, dir)) {
        if (!job.isDir() || !JOB_ID.matcher(job.getPath().getName()).matches()) continue;
        for (FileStatus chk : list(fs, job.getPath())) {
          if (!chk.isDir() || !CHECKPOINT.matcher(chk.getPath().getName()).matches()) continue;
          Path metadata = new Path(chk.getPath(), "_metadata");
          if (!fs.exists(metadata)) continue;
          FileStatus m = fs.getFileStatus(metadata);
          if (m.getModificationTime() < since) continue;
          if (best == null || m.getModificationTime() > best.getModificationTime()) best = m;
        }
      }
      return best == null
          ? Optional.empty()
          : Optional.of(best.getPath().getParent().toUri().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the checkpoints in " + dir, e);
    }
  }

  private static FileStatus[] list(FileSystem fs, Path p) throws IOException {
    FileStatus[] s = fs.listStatus(p);
    return s == null ? new FileStatus[0] : s;
  }

  /** What the retained state holds, if recorded. */
  Optional<Holds> read() {
    Path record = new Path(dir, RECORD);
    try {
      FileSystem fs = record.getFileSystem();
      if (!fs.exists(record)) return Optional.empty();
      try (InputStream in = fs.open(record)) {
        return Optional.of(JSON.readValue(in, Holds.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + record, e);
    }
  }

  private void write(Holds holds) {
    Path record = new Path(dir, RECORD);
    try {
      FileSystem fs = record.getFileSystem();
      fs.mkdirs(dir);
      try (OutputStream out = fs.create(record, FileSystem.WriteMode.OVERWRITE)) {
        JSON.writeValue(out, holds);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + record, e);
    }
  }

  /** Removes every job's checkpoints but those of the job holding {@code keep} (a URI, or null). */
  private void removeJobsOtherThan(String keep) {
    try {
      FileSystem fs = dir.getFileSystem();
      if (!fs.exists(dir)) return;
      for (FileStatus job : list(fs, dir)) {
        if (!job.isDir() || !JOB_ID.matcher(job.getPath().getName()).matches()) continue;
        String uri = job.getPath().toUri().toString();
        if (keep != null && keep.startsWith(uri.endsWith("/") ? uri : uri + "/")) continue;
        fs.delete(job.getPath(), true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove old checkpoints in " + dir, e);
    }
  }
}
