package io.janus.monitoring.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs each notification as a JSON object to a URL (Slack-, Alertmanager- or anything-compatible
 * relay).
 */
public final class WebhookNotifier implements Notifier {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final URI url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  public WebhookNotifier(URI url) {
    this.url = url;
  }

  @Override
  public void send(Notification n) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(n.toJson()))
            .build();
    HttpResponse<String> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("webhook " + this + ": interrupted", e);
    } catch (IOException e) {
      throw new IOException("webhook " + this + ": " + e.getMessage(), e);
    }
    if (resp.statusCode() / 100 != 2) {
      throw new IOException("webhook " + this + " answered HTTP " + resp.statusCode());
    }
  }

  /**
   * The URL without credentials, path or query (webhook URLs carry their token in any of them, e.g.
   * {@code /services/T0/B0/token}), for logs and warnings.
   */
  @Override
  public String toString() {
    String path = url.getPath() == null ? "" : url.getPath();
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() > 0 ? ":" + url.getPort() : "")
        + (path.isEmpty() || path.equals("/") ? path : "/…");
  }
}
