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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The retained state of one stream (one set of groups from one source) in its checkpoint directory:
 * Flink's retained checkpoints ({@code <dir>/<job id>/chk-<n>/_metadata}) and a record of what they
 * hold ({@code <dir>/janus-stream.json}: each group's fingerprint, the source, the time of the
 * bootstrap that began them). It decides how a stream starts: from the latest checkpoint when it
 * holds the same groups with the same definitions from the same source, else over with a bootstrap.
 * Any Flink file system works ({@code file:}, {@code s3:}, …).
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
   * What a stream's state holds.
   *
   * @param fingerprints each group's definition fingerprint, by group name
   * @param source the events' origin ({@code file:…}, {@code kafka:…})
   * @param bootstrapAsOf epoch millis of the bootstrap the state began with; 0 when it began with a
   *     savepoint
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Holds(Map<String, String> fingerprints, String source, long bootstrapAsOf) {
    static Holds of(List<FeatureGroup> groups, String source, long bootstrapAsOf) {
      Map<String, String> f = new LinkedHashMap<>();
      for (FeatureGroup g : groups) f.put(g.name(), g.fingerprint());
      return new Holds(f, source, bootstrapAsOf);
    }

    /** Why state holding this cannot serve {@code wanted}, or empty when it can. */
    Optional<String> differenceFrom(Holds wanted) {
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
   * Resumes {@code job} from the latest retained checkpoint if that holds the job's groups, with
   * the same fingerprints, from the same source; else removes the retained checkpoints and starts
   * over with a bootstrap as of {@code now}.
   */
  public Start resumeOrBootstrap(StreamJob job, Instant now) {
    Holds wanted = Holds.of(job.groups(), job.origin(), 0);
    Optional<String> latest = latest();
    if (latest.isEmpty()) return bootstrap(job, now, "no retained checkpoint in " + dir);
    Optional<Holds> held = read();
    Optional<String> why =
        held.isEmpty()
            ? Optional.of("nothing records what it holds (" + new Path(dir, RECORD) + ")")
            : held.get().differenceFrom(wanted);
    if (why.isPresent())
      return bootstrap(
          job, now, "the retained checkpoint " + latest.get() + " is not used: " + why.get());
    StreamJob restored = job.withRestore(latest.get());
    if (held.get().bootstrapAsOf() > 0)
      restored = restored.withBootstrap(Instant.ofEpochMilli(held.get().bootstrapAsOf()));
    return new Start(restored, "resumed from the retained checkpoint " + latest.get());
  }

  /**
   * Removes the retained checkpoints and starts {@code job} over with a bootstrap as of {@code
   * now}.
   */
  public Start fresh(StreamJob job, Instant now) {
    return bootstrap(job, now, "--fresh");
  }

  /**
   * Removes the retained checkpoints and starts {@code job} from the savepoint (or checkpoint) at
   * {@code path}; {@code job} restores it itself when {@code restoredByFlink} (as {@code flink run
   * -s} does).
   */
  public Start fromSavepoint(StreamJob job, String path, boolean restoredByFlink) {
    clear();
    write(Holds.of(job.groups(), job.origin(), 0));
    return new Start(
        restoredByFlink ? job : job.withRestore(path), "restoring the savepoint " + path);
  }

  private Start bootstrap(StreamJob job, Instant now, String why) {
    clear();
    write(Holds.of(job.groups(), job.origin(), now.toEpochMilli()));
    long from = StreamJob.historyFrom(job.groups(), now);
    String since = from == Long.MIN_VALUE ? "all of it" : "since " + Instant.ofEpochMilli(from);
    return new Start(
        job.withBootstrap(now),
        why + ": starting over, replaying the raw table first (" + since + ")");
  }

  /** The newest retained checkpoint with complete metadata, as a URI. */
  public Optional<String> latest() {
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

  /** Removes every job's retained checkpoints: they cannot restore the stream starting now. */
  private void clear() {
    try {
      FileSystem fs = dir.getFileSystem();
      if (!fs.exists(dir)) return;
      for (FileStatus job : list(fs, dir)) {
        if (job.isDir() && JOB_ID.matcher(job.getPath().getName()).matches())
          fs.delete(job.getPath(), true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the checkpoints in " + dir, e);
    }
  }
}
