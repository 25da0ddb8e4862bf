package io.janus.serving;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Java client of the {@link FeatureServer} HTTP API (the JDK's HTTP client and Jackson), next to
 * the direct {@code OnlineReader}: for applications that reach features over the network.
 * Thread-safe.
 */
public final class OnlineClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  private OnlineClient(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * A client of the server at {@code base} (e.g. {@code http://localhost:8080}) whose requests time
   * out after 5 seconds.
   */
  public static OnlineClient of(URI base) {
    return new OnlineClient(base, Duration.ofSeconds(5));
  }

  /** The same client with another request timeout. */
  public OnlineClient withTimeout(Duration requestTimeout) {
    return new OnlineClient(base, requestTimeout);
  }

  /** What the server answered when it did not answer 200. */
  public static final class ServerError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ServerError(int status, String message) {
      super("feature server answered " + status + ": " + message);
      this.status = status;
    }

    /** The HTTP status code. */
    public int status() {
      return status;
    }
  }

  /**
   * One entity's values: the server's JSON object ({@code group}, the key fields, {@code
   * valid_from}, {@code staleness_ms}, {@code version}, {@code features}), or null when the key has
   * no live values.
   *
   * @param group the group
   * @param keyValues the key values in the order of the group's entity fields
   * @throws ServerError on any answer but 200 and the 404 of a key without live values
   */
  public Map<String, Object> get(String group, String... keyValues) {
    StringBuilder path = new StringBuilder("/features/").append(segment(group));
    for (String k : keyValues) path.append('/').append(segment(k));
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve(path.toString())).GET());
    if (r.statusCode() == 404 && r.body().contains("no live online values")) return null;
    return parse(r);
  }

  /**
   * Many entities across groups in one call: per entity, in order, a map of group name to its
   * values ({@code valid_from}, {@code staleness_ms}, {@code version}, {@code features}) or null.
   *
   * @param entities the key fields of each entity
   * @param groups the groups wanted
   * @throws ServerError on any answer but 200
   */
  @SuppressWarnings("unchecked")
  public List<Map<String, Map<String, Object>>> getAll(
      List<Map<String, String>> entities, List<String> groups) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("entities", entities);
    body.put("groups", groups);
    String text;
    try {
      text = JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(base.resolve("/features"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
    List<Map<String, Object>> results = (List<Map<String, Object>>) parse(r).get("results");
    List<Map<String, Map<String, Object>>> out = new ArrayList<>(results.size());
    for (Map<String, Object> e : results)
      out.add((Map<String, Map<String, Object>>) e.get("groups"));
    return out;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "feature server " + base + " unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + base, e);
    }
  }

  private static Map<String, Object> parse(HttpResponse<String> r) {
    Map<String, Object> body;
    try {
      body = JSON.readValue(r.body(), OBJECT);
    } catch (IOException e) {
      throw new ServerError(r.statusCode(), "not JSON: " + r.body());
    }
    if (r.statusCode() != 200)
      throw new ServerError(r.statusCode(), String.valueOf(body.get("error")));
    return body;
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
