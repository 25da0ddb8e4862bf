package io.janus.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code janus serve} as a container runs it: its own JVM (the packaged bin/janus classpath) with
 * the container entry point {@code ServeMain}, the embedded Redis, ready once {@code /healthz}
 * answers 200, stopped by SIGTERM.
 */
class ServeCliITCase {
  @TempDir Path dir;

  @Test
  void servesUntilStopped() throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    assertThat(target.resolve("janus-local.jar")).exists();
    String classpath =
        target.resolve("janus-local.jar")
            + java.io.File.pathSeparator
            + target.resolve("lib")
            + "/*";
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // The container entry point: janus serve, its port from $PORT.
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    classpath,
                    "io.janus.local.ServeMain",
                    "--host",
                    "127.0.0.1",
                    "--workdir",
                    dir.resolve("wd").toString()))
            .redirectErrorStream(true);
    pb.environment().put("PORT", "0");
    Process p = pb.start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Pattern serving = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+);");
      int port = -1;
      StringBuilder seen = new StringBuilder();
      long deadline = System.currentTimeMillis() + 120_000;
      String line;
      while (port < 0 && System.currentTimeMillis() < deadline && (line = out.readLine()) != null) {
        seen.append(line).append('\n');
        Matcher m = serving.matcher(line);
        if (m.find()) port = Integer.parseInt(m.group(1));
      }
      assertThat(port).as(seen.toString()).isPositive();
      Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
      drain.setDaemon(true);
      drain.start();

      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/healthz"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("user_activity", "product_stats");
      HttpResponse<String> absent =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/features/user_activity/u-none")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(absent.statusCode()).isEqualTo(404);
      HttpResponse<String> many =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/features"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"entities\": [{\"user_id\": \"u1\"}], \"groups\": [\"user_activity\"]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(many.statusCode()).isEqualTo(200);
      assertThat(many.body())
          .isEqualTo(
              "{\"results\":[{\"entity\":{\"user_id\":\"u1\"},\"groups\":{\"user_activity\":null}}]}");

      p.destroy(); // SIGTERM, as a service manager stops it
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    } finally {
      p.destroyForcibly();
    }
  }
}
