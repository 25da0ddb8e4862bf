package io.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.OnlineStore;
import io.janus.serving.internal.EntityKeys;
import io.janus.serving.internal.EntityKeys.BadRequest;
import io.janus.serving.internal.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature server: online values of the feature groups over HTTP (Vert.x, non-blocking), read
 * from the online store in one pipelined round trip per request, with the TTL judged as {@link
 * OnlineReader} judges it.
 *
 * <ul>
 *   <li>{@code GET /features/{group}/{key…}}: one entity (one path segment per entity field, in the
 *       group's order); 404 when the key has no live values.
 *   <li>{@code POST /features}: {@code {"entities": [{…}], "groups": […]}}, answered {@code
 *       {"results": […]}}, one element per entity, in order.
 *   <li>{@code GET /healthz}: 200 when the store answers, else 503.
 *   <li>{@code GET /metrics}: Prometheus text; {@code GET /openapi.yaml}: the API.
 * </ul>
 *
 * <p>Bad requests get 400 naming the field; an unknown group 404; a store that does not answer (or
 * more requests in flight than allowed) a fast 503 with the reason. Start one with {@link
 * #builder()}; {@link #close()} stops it.
 */
public final class FeatureServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, FeatureGroup> groups;
  private final OnlineStore store;
  private final OnlineReader reader;
  private final int maxInFlight;
  private final int maxEntities;
  private final ServerMetrics metrics = new ServerMetrics();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final String openApi;
  private final Vertx vertx;
  private final HttpServer http;

  private FeatureServer(Builder b) {
    this.groups = new LinkedHashMap<>();
    for (FeatureGroup g : b.groups) groups.put(g.name(), g);
    this.store = Objects.requireNonNull(b.store, "store");
    this.reader = new OnlineReader(store);
    this.maxInFlight = b.maxInFlight;
    this.maxEntities = b.maxEntities;
    this.openApi = resource("janus/openapi.yaml");
    this.vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/healthz").handler(this::health);
    router.get("/metrics").handler(this::metrics);
    router
        .get("/openapi.yaml")
        .handler(ctx -> text(ctx, "/openapi.yaml", 200, openApi, "application/yaml"));
    router.getWithRegex("/features/[^/]+/.+").handler(this::getOne);
    router
        .post("/features")
        .handler(BodyHandler.create(false).setBodyLimit(b.maxBodyBytes))
        .handler(this::getMany);
    router
        .route()
        .last()
        .handler(
            ctx ->
                error(
                    ctx,
                    "other",
                    404,
                    "no such endpoint: " + ctx.request().method() + " " + ctx.request().path(),
                    System.nanoTime()));
    HttpServer server =
        vertx.createHttpServer(new HttpServerOptions().setHost(b.host).setPort(b.port));
    try {
      this.http =
          server
              .requestHandler(router)
              .listen()
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      vertx.close();
      throw new IllegalStateException("interrupted while starting the server", e);
    } catch (ExecutionException | TimeoutException e) {
      vertx.close();
      throw new IllegalStateException(
          "cannot listen on "
              + b.host
              + ":"
              + b.port
              + ": "
              + (e.getCause() == null ? e : e.getCause()).getMessage(),
          e);
    }
    LOG.info("feature server on {}:{} for groups {}", b.host, http.actualPort(), groups.keySet());
  }

  /** A builder with the defaults: port 8080 on every interface, 1,024 requests in flight. */
  public static Builder builder() {
    return new Builder();
  }

  /** The port the server listens on (the one chosen when the builder asked for port 0). */
  public int port() {
    return http.actualPort();
  }

  /** Stops accepting requests and releases the server's threads (not the store). */
  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      LOG.warn("feature server did not stop cleanly: {}", e.toString());
    }
  }

  // ---- handlers

  private void health(RoutingContext ctx) {
    long t0 = System.nanoTime();
    vertx
        .executeBlocking(store::reachable, false)
        .onComplete(
            r -> {
              ObjectNode body = JSON.createObjectNode();
              boolean up = r.succeeded() && Boolean.TRUE.equals(r.result());
              body.put("status", up ? "ok" : "unavailable");
              body.put("store", up ? "reachable" : "unreachable");
              body.putPOJO("groups", groups.keySet());
              json(ctx, "/healthz", up ? 200 : 503, body, t0);
            });
  }

  private void metrics(RoutingContext ctx) {
    text(ctx, "/metrics", 200, metrics.scrape(), ServerMetrics.contentType());
  }

  private void getOne(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String endpoint = "GET /features";
    List<String> segments = new ArrayList<>();
    FeatureGroup g;
    String key;
    try {
      for (String raw : ctx.request().path().substring("/features/".length()).split("/", -1))
        segments.add(decode(raw));
      g = groups.get(segments.get(0));
      if (g == null) {
        error(ctx, endpoint, 404, "unknown group '" + segments.get(0) + "'", t0);
        return;
      }
      key = EntityKeys.key(g, segments.subList(1, segments.size()));
    } catch (BadRequest e) {
      error(ctx, endpoint, 400, e.getMessage(), t0);
      return;
    }
    read(ctx, endpoint, List.of(new OnlineReader.Lookup(g, key)), t0)
        .onSuccess(
            results -> {
              OnlineReader.Result r = results.get(0);
              if (!r.found()) {
                error(
                    ctx,
                    endpoint,
                    404,
                    "no live online values for "
                        + g.name()
                        + " key "
                        + describe(g, segments.subList(1, segments.size()))
                        + " (absent or past its TTL)",
                    t0);
                return;
              }
              ObjectNode body = JSON.createObjectNode();
              body.put("group", g.name());
              List<String> values = segments.subList(1, segments.size());
              for (int i = 0; i < values.size(); i++) body.put(g.entity().get(i), values.get(i));
              fill(body, r, System.currentTimeMillis());
              json(ctx, endpoint, 200, body, t0);
            });
  }

  private void getMany(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String endpoint = "POST /features";
    List<OnlineReader.Lookup> lookups = new ArrayList<>();
    List<Map<String, Object>> entities = new ArrayList<>();
    List<FeatureGroup> wanted = new ArrayList<>();
    try {
      JsonNode req;
      try {
        req =
            JSON.readTree(
                ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
      } catch (IOException e) {
        throw new BadRequest(
            "body: not JSON ("
                + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage()
                    : e.getMessage())
                + ")");
      }
      if (req == null || !req.isObject())
        throw new BadRequest("body: expected a JSON object with 'entities' and 'groups'");
      JsonNode gs = req.get("groups");
      if (gs == null || !gs.isArray() || gs.isEmpty())
        throw new BadRequest("groups: expected a non-empty array of group names");
      for (int i = 0; i < gs.size(); i++) {
        FeatureGroup g = groups.get(gs.get(i).asText());
        if (g == null)
          throw new BadRequest("groups[" + i + "]: unknown group '" + gs.get(i).asText() + "'");
        // Distinct groups: a request reads at most entities × served groups keys.
        if (wanted.contains(g))
          throw new BadRequest(
              "groups[" + i + "]: '" + gs.get(i).asText() + "' is asked for twice");
        wanted.add(g);
      }
      JsonNode es = req.get("entities");
      if (es == null || !es.isArray() || es.isEmpty())
        throw new BadRequest("entities: expected a non-empty array of entity key objects");
      if (es.size() > maxEntities)
        throw new BadRequest("entities: at most " + maxEntities + " per request, got " + es.size());
      for (int i = 0; i < es.size(); i++) {
        JsonNode e = es.get(i);
        if (!e.isObject())
          throw new BadRequest("entities[" + i + "]: expected an object of key fields");
        Map<String, Object> entity = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          JsonNode v = f.getValue();
          entity.put(
              f.getKey(),
              v.isValueNode() && !v.isNull()
                  ? (v.isTextual()
                      ? v.asText()
                      : v.numberValue() != null ? v.numberValue() : v.asText())
                  : v);
        }
        entities.add(entity);
        for (FeatureGroup g : wanted)
          lookups.add(new OnlineReader.Lookup(g, EntityKeys.key(g, entity, "entities[" + i + "]")));
      }
    } catch (BadRequest e) {
      error(ctx, endpoint, 400, e.getMessage(), t0);
      return;
    }
    read(ctx, endpoint, lookups, t0)
        .onSuccess(
            results -> {
              long now = System.currentTimeMillis();
              ArrayNode out = JSON.createArrayNode();
              int r = 0;
              for (Map<String, Object> entity : entities) {
                ObjectNode element = out.addObject();
                ObjectNode keys = element.putObject("entity");
                entity.forEach((k, v) -> keys.putPOJO(k, v));
                ObjectNode perGroup = element.putObject("groups");
                for (FeatureGroup g : wanted) {
                  OnlineReader.Result res = results.get(r++);
                  if (!res.found()) {
                    perGroup.putNull(g.name());
                  } else {
                    fill(perGroup.putObject(g.name()), res, now);
                  }
                }
              }
              ObjectNode body = JSON.createObjectNode();
              body.set("results", out);
              json(ctx, endpoint, 200, body, t0);
            });
  }

  // ---- reading

  /**
   * Reads {@code lookups}; answers 503 itself (and fails the returned future) when too many
   * requests are in flight or the store does not answer.
   */
  private Future<List<OnlineReader.Result>> read(
      RoutingContext ctx, String endpoint, List<OnlineReader.Lookup> lookups, long t0) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      error(ctx, endpoint, 503, "overloaded: more than " + maxInFlight + " requests in flight", t0);
      return Future.failedFuture("overloaded");
    }
    long s0 = System.nanoTime();
    CompletableFuture<List<OnlineReader.Result>> cf;
    try {
      cf = reader.getAllAsync(lookups);
    } catch (RuntimeException e) {
      cf = CompletableFuture.failedFuture(e);
    }
    return Future.fromCompletionStage(cf, ctx.vertx().getOrCreateContext())
        .andThen(ignored -> inFlight.decrementAndGet())
        .onSuccess(
            results -> {
              metrics.storeRoundTrip(s0);
              for (OnlineReader.Result r : results) metrics.lookup(r.group(), r.found());
            })
        .onFailure(
            e -> error(ctx, endpoint, 503, "online store unavailable: " + rootMessage(e), t0));
  }

  private static void fill(ObjectNode node, OnlineReader.Result r, long now) {
    node.put("valid_from", r.validFrom().toString());
    node.put("staleness_ms", now - r.validFrom().toEpochMilli());
    node.put("version", r.version());
    ObjectNode features = node.putObject("features");
    r.features().forEach(features::putPOJO);
  }

  // ---- answers

  private void json(RoutingContext ctx, String endpoint, int status, ObjectNode body, long t0) {
    String text;
    try {
      text = JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    text(ctx, endpoint, status, text, "application/json");
    metrics.answered(endpoint, status, t0);
  }

  private void error(RoutingContext ctx, String endpoint, int status, String message, long t0) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    json(ctx, endpoint, status, body, t0);
  }

  private static void text(
      RoutingContext ctx, String endpoint, int status, String body, String contentType) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("content-type", contentType).end(body);
  }

  private static String describe(FeatureGroup g, List<String> values) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) parts.add(g.entity().get(i) + "=" + values.get(i));
    return String.join(", ", parts);
  }

  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("path: malformed percent-encoding in '" + segment + "'");
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static String resource(String name) {
    try (InputStream in = FeatureServer.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Settings of a {@link FeatureServer}; {@link #start()} binds the port and returns it running.
   */
  public static final class Builder {
    private final List<FeatureGroup> groups = new ArrayList<>();
    private OnlineStore store;
    private String host = "0.0.0.0";
    private int port = 8080;
    private int maxInFlight = 1024;
    private int maxEntities = 1000;
    private int maxBodyBytes = 1 << 20;

    private Builder() {}

    /** The groups served (their names are the {@code {group}} of the paths). */
    public Builder groups(List<FeatureGroup> served) {
      groups.addAll(served);
      return this;
    }

    /** Where values are read; the server does not close it. */
    public Builder store(OnlineStore onlineStore) {
      this.store = onlineStore;
      return this;
    }

    /** The interface to listen on (default every interface). */
    public Builder host(String listenHost) {
      this.host = Objects.requireNonNull(listenHost, "host");
      return this;
    }

    /** The port (default 8080; 0 picks a free one, see {@link FeatureServer#port()}). */
    public Builder port(int listenPort) {
      this.port = listenPort;
      return this;
    }

    /** Requests reading the store at once before others get 503 (default 1,024). */
    public Builder maxInFlight(int n) {
      if (n < 1) throw new IllegalArgumentException("maxInFlight must be at least 1: " + n);
      this.maxInFlight = n;
      return this;
    }

    /** Entities one {@code POST /features} may ask for (default 1,000). */
    public Builder maxEntities(int n) {
      if (n < 1) throw new IllegalArgumentException("maxEntities must be at least 1: " + n);
      this.maxEntities = n;
      return this;
    }

    /** Starts the server. */
    public FeatureServer start() {
      if (groups.isEmpty())
        throw new IllegalArgumentException("a feature server needs at least one group");
      return new FeatureServer(this);
    }
  }
}
