package io.janus.engine.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.janus.engine.iceberg.Warehouse;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The one typed configuration of Janus: YAML file ({@code --config}), then environment
 * ({@code JANUS_WORKDIR}, {@code JANUS_PARALLELISM}), then command-line options, each overriding
 * the previous. Everything has an embedded default: a work directory {@code ./janus-data} holding a
 * local Hadoop-catalog warehouse.
 *
 * <pre>
 * workdir: /data/janus
 * parallelism: 4
 * catalog:            # Iceberg catalog properties; default: hadoop catalog in &lt;workdir&gt;/warehouse
 *   type: rest
 *   uri: http://catalog:8181
 *   warehouse: s3://bucket/wh
 * flink:              # extra Flink configuration for jobs Janus submits
 *   taskmanager.memory.process.size: 2g
 * </pre>
 *
 * @param workdir work directory: warehouse (embedded), reports, redis data, checkpoints, temp files
 * @param parallelism default parallelism of jobs (0 = Flink's default)
 * @param catalog Iceberg catalog properties (empty = embedded Hadoop catalog under workdir)
 * @param flink extra Flink configuration
 */
public record JanusConfig(Path workdir, int parallelism, Map<String, String> catalog, Map<String, String> flink)
    implements Serializable {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private record FileSpec(String workdir, Integer parallelism, Map<String, String> catalog, Map<String, String> flink) {}

  /** Defaults only. */
  public static JanusConfig defaults() {
    return new JanusConfig(Path.of("janus-data"), 0, Map.of(), Map.of());
  }

  /**
   * Loads: file (if given) over defaults, then environment, then the explicit overrides (null = not given).
   */
  public static JanusConfig load(Path file, Map<String, String> env, Path workdirOverride, Integer parallelismOverride) {
    JanusConfig c = defaults();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("config file " + file + " does not exist");
      }
      try {
        FileSpec spec = YAML.readValue(file.toFile(), FileSpec.class);
        if (spec != null) {
          c = new JanusConfig(
              spec.workdir() == null ? c.workdir() : Path.of(spec.workdir()),
              spec.parallelism() == null ? c.parallelism() : spec.parallelism(),
              spec.catalog() == null ? c.catalog() : Map.copyOf(spec.catalog()),
              spec.flink() == null ? c.flink() : Map.copyOf(spec.flink()));
        }
      } catch (UnrecognizedPropertyException e) {
        throw new IllegalArgumentException(file + ": unknown setting '" + e.getPropertyName() + "' (known: workdir, parallelism, catalog, flink)");
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage().split("\n")[0]);
      }
    }
    if (env.get("JANUS_WORKDIR") != null) {
      c = new JanusConfig(Path.of(env.get("JANUS_WORKDIR")), c.parallelism(), c.catalog(), c.flink());
    }
    if (env.get("JANUS_PARALLELISM") != null) {
      try {
        c = new JanusConfig(c.workdir(), Integer.parseInt(env.get("JANUS_PARALLELISM")), c.catalog(), c.flink());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("JANUS_PARALLELISM must be a whole number, got '" + env.get("JANUS_PARALLELISM") + "'");
      }
    }
    if (workdirOverride != null) {
      c = new JanusConfig(workdirOverride, c.parallelism(), c.catalog(), c.flink());
    }
    if (parallelismOverride != null) {
      c = new JanusConfig(c.workdir(), parallelismOverride, c.catalog(), c.flink());
    }
    return new JanusConfig(c.workdir().toAbsolutePath().normalize(), c.parallelism(), c.catalog(), c.flink());
  }

  /** The warehouse: the configured catalog, or the embedded Hadoop catalog in {@code <workdir>/warehouse}. */
  public Warehouse warehouse() {
    if (catalog.isEmpty()) {
      return Warehouse.local(workdir.resolve("warehouse"));
    }
    return Warehouse.of(new HashMap<>(catalog));
  }

  public Path reports() {
    return workdir.resolve("reports");
  }

  public Path tmp() {
    return workdir.resolve("tmp");
  }
}
