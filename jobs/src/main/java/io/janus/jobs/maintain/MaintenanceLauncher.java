package io.janus.jobs.maintain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts the maintenance JVM (module {@code janus-maintenance}): Spark must never share a classpath
 * with Flink, so {@code janus maintain} runs it as a child process with Spark's JDK 17 module
 * openings and a capped heap, and relays its output.
 *
 * <p>The maintenance classpath comes from {@code JANUS_MAINTENANCE_CLASSPATH}, else from the source
 * checkout this launcher runs in: {@code maintenance/target/classes} plus the {@code
 * runtime.classpath} Maven wrote at compile time, or the packaged {@code
 * maintenance/target/janus-maintenance.jar} plus {@code lib/}.
 */
public final class MaintenanceLauncher {
  /** Entry point of the maintenance JVM. */
  public static final String MAIN_CLASS = "io.janus.maintenance.MaintenanceMain";

  /**
   * Spark's JDK 17 flags (its launcher's list): without them Spark and Iceberg's Arrow reader fail
   * at start.
   */
  static final List<String> SPARK_JVM_FLAGS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false");

  private final String classpath;

  private MaintenanceLauncher(String classpath) {
    this.classpath = classpath;
  }

  /** Finds the maintenance classpath, or fails saying how to build it. */
  public static MaintenanceLauncher locate(Map<String, String> env) {
    String explicit = env.get("JANUS_MAINTENANCE_CLASSPATH");
    if (explicit != null && !explicit.isBlank()) {
      return new MaintenanceLauncher(explicit);
    }
    for (Path dir = codeLocation(); dir != null; dir = dir.getParent()) {
      Path target = dir.resolve("maintenance").resolve("target");
      if (!Files.isDirectory(target)) continue;
      Path classes = target.resolve("classes");
      Path listed = target.resolve("runtime.classpath");
      if (Files.isDirectory(classes.resolve("io")) && Files.isRegularFile(listed)) {
        try {
          return new MaintenanceLauncher(
              classes + java.io.File.pathSeparator + Files.readString(listed).trim());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      Path jar = target.resolve("janus-maintenance.jar");
      if (Files.isRegularFile(jar) && Files.isDirectory(target.resolve("lib"))) {
        return new MaintenanceLauncher(
            jar + java.io.File.pathSeparator + target.resolve("lib") + "/*");
      }
    }
    throw new IllegalStateException(
        "the maintenance module is not built: run 'mvn -DskipTests package' in the Janus checkout,"
            + " or set JANUS_MAINTENANCE_CLASSPATH to janus-maintenance.jar and its lib/*");
  }

  private static Path codeLocation() {
    try {
      return Path.of(
              MaintenanceLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toAbsolutePath();
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("").toAbsolutePath();
    }
  }

  /** The full command line of the child JVM. */
  public List<String> command(String heap, Path tmpDir, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.addAll(SPARK_JVM_FLAGS);
    cmd.add("-Djava.io.tmpdir=" + tmpDir);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(MAIN_CLASS);
    cmd.addAll(args);
    return cmd;
  }

  /** Runs the child to completion, copying its stdout and stderr to ours; returns its exit code. */
  public int run(String heap, Path tmpDir, List<String> args)
      throws IOException, InterruptedException {
    return run(heap, tmpDir, args, System.out::println);
  }

  /**
   * Runs the child to completion, handing each line of its stdout to {@code out}; returns its exit
   * code.
   */
  public int run(String heap, Path tmpDir, List<String> args, Consumer<String> out)
      throws IOException, InterruptedException {
    Files.createDirectories(tmpDir);
    ProcessBuilder pb = new ProcessBuilder(command(heap, tmpDir, args));
    // Spark otherwise resolves the host name and binds to whatever it maps to.
    pb.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
    // Spark's scratch space (shuffle, spills) in the Janus work directory, not in /tmp.
    pb.environment().putIfAbsent("SPARK_LOCAL_DIRS", tmpDir.toString());
    Process p = pb.start();
    // A janus maintain that is stopped (Ctrl-C, a supervisor's SIGTERM) stops the Spark JVM with
    // it.
    Thread stopChild = new Thread(p::destroy, "stop-maintenance-jvm");
    Runtime.getRuntime().addShutdownHook(stopChild);
    p.getOutputStream().close();
    Thread stdout = relay(p.getInputStream(), out);
    Thread err = relay(p.getErrorStream(), System.err::println);
    try {
      int code = p.waitFor();
      stdout.join();
      err.join();
      return code;
    } catch (InterruptedException e) {
      p.destroy();
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stopChild);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it stops the child
      }
    }
  }

  private static Thread relay(InputStream in, Consumer<String> to) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  to.accept(line);
                }
              } catch (IOException ignored) {
                // the child ended
              }
            },
            "maintenance-output");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
