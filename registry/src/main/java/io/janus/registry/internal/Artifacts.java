package io.janus.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Content-addressed model artifacts: stored once under {@code <root>/sha256/<hash><ext>} through
 * Iceberg's {@link FileIO} (local disk or an object store alike), read back only after their hash
 * is checked again.
 */
public final class Artifacts {
  private final FileIO io;
  private final String root;

  /**
   * @param io the file IO of the registry table
   * @param root the directory of artifacts (e.g. the registry table's location + {@code
   *     /artifacts})
   */
  public Artifacts(FileIO io, String root) {
    this.io = io;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** Where content with {@code sha256} and extension {@code ext} is stored. */
  public String location(String sha256, String ext) {
    return root + "/sha256/" + sha256 + ext;
  }

  /**
   * Stores {@code bytes} (once: the same content has the same location) and returns its location.
   *
   * @param bytes the artifact
   * @param ext its file extension, e.g. {@code .onnx}
   * @return the location
   */
  public String store(byte[] bytes, String ext) {
    String location = location(sha256(bytes), ext);
    InputFile existing = io.newInputFile(location);
    if (existing.exists() && sha256(read(existing)).equals(sha256(bytes))) return location;
    OutputFile out = io.newOutputFile(location);
    try (OutputStream os = out.createOrOverwrite()) {
      os.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store artifact at " + location, e);
    }
    return location;
  }

  /**
   * The bytes at {@code location}.
   *
   * @param location an artifact's location
   * @return its bytes
   */
  public byte[] read(String location) {
    InputFile in = io.newInputFile(location);
    if (!in.exists()) throw new IllegalStateException("artifact " + location + " is missing");
    return read(in);
  }

  private static byte[] read(InputFile in) {
    try (InputStream is = in.newStream()) {
      return is.readAllBytes();
    } catch (IOException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t.getClass().getSimpleName().equals("ChecksumException")) {
          throw new Corrupt(in.location() + " does not match its checksum file (changed in place)");
        }
      }
      throw new UncheckedIOException("cannot read artifact " + in.location(), e);
    }
  }

  /** Stored bytes that the file system itself knows were changed (a checksum mismatch). */
  public static final class Corrupt extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Corrupt(String message) {
      super(message);
    }
  }

  /** The SHA-256 of {@code bytes}, lower-case hex. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
