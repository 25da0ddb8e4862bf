package io.janus.local;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Apache Iceberg's reference REST catalog server ({@code org.apache.iceberg.rest.RESTCatalogServer}
 * from iceberg-open-api's test fixtures) in a JVM of its own, on a free port of 127.0.0.1, from the
 * classpath module {@code docker/rest-catalog} writes. Its backend is a JDBC catalog; its
 * properties go in as the server expects them, as {@code CATALOG_*} environment variables (never on
 * the command line). The server logs its properties at start: that line is turned off, so
 * credentials stay out of its log.
 */
final class RestCatalogServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Map<String, String> backend;
  private final Path log;
  private final int port;
  private Process process;

  private RestCatalogServer(Map<String, String> backend, Path log, int port) {
    this.backend = backend;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts a server whose backend catalog has {@code properties} (uri, warehouse, io-impl, s3.*,
   * jdbc.*); it logs to {@code dir}/rest-catalog.log.
   */
  static RestCatalogServer start(Path dir, Map<String, String> properties) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RestCatalogServer server =
        new RestCatalogServer(Map.copyOf(properties), dir.resolve("rest-catalog.log"), port);
    server.restart();
    return server;
  }

  /** The REST endpoint, e.g. http://127.0.0.1:port */
  String uri() {
    return "http://127.0.0.1:" + port;
  }

  /** Its log so far. */
  String log() throws java.io.IOException {
    return Files.readString(log);
  }

  /** Stops the server (SIGTERM), as a restart or a crash of its host would. */
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
  }

  /** Starts the server (again) on the same port and backend; returns once it answers. */
  void restart() throws Exception {
    stop();
    Path cp = Path.of("..", "..", "docker", "rest-catalog", "target", "runtime.classpath");
    if (!Files.isRegularFile(cp)) {
      throw new IllegalStateException(
          cp.toAbsolutePath().normalize() + " is missing: build docker/rest-catalog first");
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.log.org.apache.iceberg.rest.RESTCatalogServer=warn",
                "-cp",
                Files.readString(cp).trim(),
                "org.apache.iceberg.rest.RESTCatalogServer"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CATALOG_"));
    backend.forEach((k, v) -> env.put(environmentName(k), v));
    env.put("CATALOG_REST_PORT", Integer.toString(port));
    process = pb.start();
    long deadline = System.currentTimeMillis() + 90_000;
    while (true) {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(uri() + "/v1/config")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        stop();
        throw new IllegalStateException("the REST catalog server did not start: " + log());
      }
      Thread.sleep(200);
    }
  }

  /** The server's convention: CATALOG_ + the name upper-cased, '-' as "__" and '.' as '_'. */
  static String environmentName(String property) {
    return "CATALOG_" + property.replace("-", "__").replace(".", "_").toUpperCase(Locale.ROOT);
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
