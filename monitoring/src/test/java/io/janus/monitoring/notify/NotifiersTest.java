package io.janus.monitoring.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notifications to a JSON-lines file and to a webhook served by a real HTTP server on loopback. */
class NotifiersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  HttpServer server;
  final List<String> received = new CopyOnWriteArrayList<>();
  volatile int status = 200;

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          received.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Content-Type")
                  + " "
                  + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  URI hook() {
    // A token in the path, as chat webhooks carry one.
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook/s3cr3t-token");
  }

  static Notification rejected(String group) {
    return new Notification(
        Notification.AUDIT_REJECTED,
        group,
        "backfill " + group + " rejected",
        Map.of("run_id", "r1", "failures", List.of("user_views_5m above 1")),
        Instant.parse("2026-11-22T10:00:00Z"));
  }

  @Test
  void appendsOneJsonObjectPerLineAndPostsTheSameObject() throws Exception {
    Path file = dir.resolve("reports/notifications.jsonl");
    Notifiers n = new Notifiers(List.of(new JsonLinesNotifier(file), new WebhookNotifier(hook())));
    assertThat(n.send(rejected("user_activity"))).isEmpty();
    assertThat(n.send(rejected("product_stats"))).isEmpty();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("kind").asText()).isEqualTo("audit_rejected");
    assertThat(first.get("group").asText()).isEqualTo("user_activity");
    assertThat(first.get("at").asText()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(first.at("/details/failures/0").asText()).isEqualTo("user_views_5m above 1");
    assertThat(JSON.readTree(lines.get(1)).get("group").asText()).isEqualTo("product_stats");

    assertThat(received).hasSize(2);
    assertThat(received.get(0)).startsWith("POST application/json {");
    assertThat(JSON.readTree(received.get(0).substring(received.get(0).indexOf('{'))))
        .isEqualTo(first);
  }

  @Test
  void aFailingWebhookIsReportedAndTheFileStillGetsTheLine() throws Exception {
    status = 500;
    Path file = dir.resolve("n.jsonl");
    List<String> failures =
        new Notifiers(List.of(new WebhookNotifier(hook()), new JsonLinesNotifier(file)))
            .send(rejected("g"));
    assertThat(failures)
        .singleElement()
        .asString()
        .contains("http://127.0.0.1:" + server.getAddress().getPort() + "/…")
        .doesNotContain("s3cr3t")
        .contains("HTTP 500")
        .contains("audit_rejected");
    assertThat(Files.readAllLines(file)).hasSize(1);

    server.stop(0);
    String redacted = new WebhookNotifier(hook()).toString();
    List<String> down = new Notifiers(List.of(new WebhookNotifier(hook()))).send(rejected("g"));
    assertThat(down)
        .singleElement()
        .asString()
        .contains("could not notify " + redacted)
        .doesNotContain("s3cr3t");
  }
}
