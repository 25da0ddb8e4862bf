package io.janus.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.core.served.ServedValue;
import io.janus.engine.online.OnlineReader;
import io.janus.engine.online.OnlineStore;
import io.janus.serving.internal.EntityKeys;
import io.janus.serving.internal.EntityKeys.BadRequest;
import io.janus.serving.internal.ServedLogWriter;
import io.janus.serving.internal.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
  private final PredictionModels models;
  private final Map<String, Plan> plans = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile String modelError;
  private final java.util.concurrent.atomic.AtomicBoolean refreshing =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final ServedLogWriter servedLog;
  private final String serverId =
      Long.toHexString(Double.doubleToLongBits(Math.random()) ^ System.nanoTime());
  private final java.util.concurrent.atomic.AtomicLong requestSeq =
      new java.util.concurrent.atomic.AtomicLong();
  private final String openApi;
  private final Vertx vertx;
  private final int port;

  private FeatureServer(Builder b) {
    this.groups = new LinkedHashMap<>();
    for (FeatureGroup g : b.groups) groups.put(g.name(), g);
    this.store = Objects.requireNonNull(b.store, "store");
    this.reader = new OnlineReader(store);
    this.maxInFlight = b.maxInFlight;
    this.maxEntities = b.maxEntities;
    this.openApi = resource("janus/openapi.yaml");
    this.models = b.models;
    this.servedLog =
        b.servedSink == null
            ? null
            : new ServedLogWriter(b.servedSink, b.servedRate, b.servedFlush, 10_000, metrics);
    // Loaded before the port opens, so a ready server scores with the production versions.
    this.modelError = models.refresh();
    this.vertx = Vertx.vertx();
    try {
      // One server per event loop, all on one port (Vert.x spreads the connections): a single
      // server would handle every connection on one thread. For port 0 they share one free port:
      // Vert.x shares a random port among servers that ask for the same negative port.
      int shared = b.port == 0 ? -1 : b.port;
      this.port = listen(b, shared);
      for (int i = 1; i < b.eventLoops; i++) listen(b, shared);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      vertx.close();
      if (servedLog != null) servedLog.close();
      throw new IllegalStateException("interrupted while starting the server", e);
    } catch (ExecutionException | TimeoutException e) {
      vertx.close();
      if (servedLog != null) servedLog.close();
      throw new IllegalStateException(
          "cannot listen on "
              + b.host
              + ":"
              + b.port
              + ": "
              + (e.getCause() == null ? e : e.getCause()).getMessage(),
          e);
    }
    LOG.info(
        "feature server on {}:{} ({} event loops) for groups {}, models {}",
        b.host,
        port,
        b.eventLoops,
        groups.keySet(),
        models.models().keySet());
    long every = b.modelRefresh.toMillis();
    vertx.setPeriodic(
        every,
        every,
        id -> {
          // One refresh at a time: a slow registry read skips ticks instead of piling up.
          if (!refreshing.compareAndSet(false, true)) return;
          vertx
              .executeBlocking(models::refresh, false)
              .onComplete(
                  r -> {
                    refreshing.set(false);
                    modelError = r.succeeded() ? r.result() : rootMessage(r.cause());
                    if (modelError != null) metrics.modelLoadFailed();
                  });
        });
  }

  /** A builder with the defaults: port 8080 on every interface, 1,024 requests in flight. */
  public static Builder builder() {
    return new Builder();
  }

  /** The port the server listens on (the one chosen when the builder asked for port 0). */
  public int port() {
    return port;
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
    if (servedLog != null) servedLog.close();
  }

  /** Starts one HTTP server on an event loop of its own; returns the port it listens on. */
  private int listen(Builder b, int onPort)
      throws InterruptedException, ExecutionException, TimeoutException {
    int[] bound = new int[1];
    vertx
        .deployVerticle(
            new io.vertx.core.VerticleBase() {
              @Override
              public Future<?> start() {
                return vertx
                    .createHttpServer(new HttpServerOptions().setHost(b.host).setPort(onPort))
                    .requestHandler(router(b))
                    .listen()
                    .onSuccess(server -> bound[0] = server.actualPort());
              }
            })
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return bound[0];
  }

  private Router router(Builder b) {
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
        .post("/predict")
        .handler(BodyHandler.create(false).setBodyLimit(b.maxBodyBytes))
        .handler(this::predict);
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
    return router;
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
              ObjectNode served = body.putObject("models");
              models.models().forEach((name, m) -> served.put(name, m.version()));
              // A version that fails to load leaves the one before it serving: degraded, not down.
              if (modelError != null) {
                body.put("model_error", modelError);
                if (up) body.put("status", "degraded");
              }
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
                log(
                    endpoint,
                    lookupsOf(g, key),
                    results,
                    System.currentTimeMillis(),
                    null,
                    null,
                    1);
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
              long now = System.currentTimeMillis();
              log(endpoint, lookupsOf(g, key), results, now, null, null, 1);
              ObjectNode body = JSON.createObjectNode();
              body.put("group", g.name());
              List<String> values = segments.subList(1, segments.size());
              for (int i = 0; i < values.size(); i++) body.put(g.entity().get(i), values.get(i));
              fill(body, r, now);
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
      JsonNode req = body(ctx, "'entities' and 'groups'");
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
      entities.addAll(entities(req));
      lookups.addAll(lookups(entities, wanted));
    } catch (BadRequest e) {
      error(ctx, endpoint, 400, e.getMessage(), t0);
      return;
    }
    read(ctx, endpoint, lookups, t0)
        .onSuccess(
            results -> {
              long now = System.currentTimeMillis();
              log(endpoint, lookups, results, now, null, null, wanted.size());
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

  private void predict(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String endpoint = "POST /predict";
    Map<String, PredictionModels.Model> served = models.models();
    PredictionModels.Model model;
    Plan plan;
    List<Map<String, Object>> entities;
    List<OnlineReader.Lookup> lookups = new ArrayList<>();
    try {
      JsonNode req = body(ctx, "'entities' (and 'model')");
      JsonNode name = req.get("model");
      if (name == null || name.isNull()) {
        if (served.size() != 1)
          throw new BadRequest(
              "model: required"
                  + (served.isEmpty()
                      ? " (no production model is served)"
                      : "; this server serves " + String.join(", ", served.keySet())));
        model = served.values().iterator().next();
      } else {
        model = served.get(name.asText());
        if (model == null) {
          error(
              ctx,
              endpoint,
              404,
              "no production model '"
                  + name.asText()
                  + "' is served"
                  + (served.isEmpty()
                      ? ""
                      : " (served: " + String.join(", ", served.keySet()) + ")"),
              t0);
          return;
        }
      }
      try {
        plan = plans.computeIfAbsent(model.name() + "@" + model.version(), k -> plan(served, k));
      } catch (IllegalStateException e) {
        error(ctx, endpoint, 503, e.getMessage(), t0);
        return;
      }
      entities = entities(req);
      lookups.addAll(lookups(entities, plan.groups()));
    } catch (BadRequest e) {
      error(ctx, endpoint, 400, e.getMessage(), t0);
      return;
    }
    read(ctx, endpoint, lookups, t0)
        .onSuccess(
            results -> {
              long now = System.currentTimeMillis();
              int nGroups = plan.groups().size();
              Object[][] rows = new Object[entities.size()][plan.inputs().size()];
              long[] oldest = new long[entities.size()];
              for (int e = 0; e < entities.size(); e++) {
                oldest[e] = Long.MAX_VALUE;
                for (int g = 0; g < nGroups; g++) {
                  OnlineReader.Result r = results.get(e * nGroups + g);
                  if (!r.found()) continue;
                  oldest[e] = Math.min(oldest[e], r.validFrom().toEpochMilli());
                  for (int i = 0; i < rows[e].length; i++) {
                    if (plan.inputGroup()[i] == g)
                      rows[e][i] = r.features().get(plan.inputFeature()[i]);
                  }
                }
              }
              double[] scores;
              try {
                scores = model.score(rows);
              } catch (RuntimeException ex) {
                error(ctx, endpoint, 500, "scoring with " + plan.ref() + " failed: " + ex, t0);
                return;
              }
              metrics.predicted(model.name(), model.version(), entities.size());
              log(endpoint, lookups, results, now, model, scores, nGroups);
              long freshest = Long.MIN_VALUE;
              ArrayNode out = JSON.createArrayNode();
              for (int e = 0; e < entities.size(); e++) {
                ObjectNode p = out.addObject();
                ObjectNode keys = p.putObject("entity");
                entities.get(e).forEach(keys::putPOJO);
                p.put("score", scores[e]);
                if (oldest[e] == Long.MAX_VALUE) {
                  p.putNull("features_freshness_ms");
                } else {
                  p.put("features_freshness_ms", now - oldest[e]);
                  freshest = Math.max(freshest, now - oldest[e]);
                }
                ArrayNode imputed = p.putArray("imputed");
                for (int i = 0; i < rows[e].length; i++) {
                  if (rows[e][i] == null) imputed.add(plan.inputs().get(i));
                }
              }
              ObjectNode body = JSON.createObjectNode();
              body.put("model", model.name());
              body.put("model_version", model.version());
              // The request's figure: the oldest feature row any of its scores used.
              if (freshest == Long.MIN_VALUE) body.putNull("features_freshness_ms");
              else body.put("features_freshness_ms", freshest);
              body.set("predictions", out);
              json(ctx, endpoint, 200, body, t0);
            });
  }

  /**
   * Where each input of a model comes from: the served groups it was trained on, and per input the
   * group (index) and feature. Inputs are training-set columns: a feature name, or {@code
   * <group>__<feature>} where names collided.
   *
   * @throws IllegalStateException when this server cannot feed the model
   */
  private Plan plan(Map<String, PredictionModels.Model> served, String ref) {
    PredictionModels.Model m = served.get(ref.substring(0, ref.indexOf('@')));
    List<FeatureGroup> gs = new ArrayList<>();
    for (String g : m.groups()) {
      FeatureGroup group = groups.get(g);
      if (group == null)
        throw new IllegalStateException(
            "model " + ref + " reads group " + g + ", which this server does not serve");
      gs.add(group);
    }
    int[] inputGroup = new int[m.inputs().size()];
    String[] inputFeature = new String[m.inputs().size()];
    for (int i = 0; i < inputGroup.length; i++) {
      String input = m.inputs().get(i);
      inputGroup[i] = -1;
      for (int g = 0; g < gs.size() && inputGroup[i] < 0; g++) {
        List<String> names = gs.get(g).schema().featureNames();
        if (names.contains(input)) {
          inputGroup[i] = g;
          inputFeature[i] = input;
        } else if (input.startsWith(gs.get(g).name() + "__")
            && names.contains(input.substring(gs.get(g).name().length() + 2))) {
          inputGroup[i] = g;
          inputFeature[i] = input.substring(gs.get(g).name().length() + 2);
        }
      }
      if (inputGroup[i] < 0)
        throw new IllegalStateException(
            "model "
                + ref
                + " expects input '"
                + input
                + "', which no feature of its groups "
                + String.join(",", m.groups())
                + " provides");
    }
    return new Plan(ref, gs, m.inputs(), inputGroup, inputFeature);
  }

  /** How a model version's inputs are read (see {@link #plan}). */
  private record Plan(
      String ref,
      List<FeatureGroup> groups,
      List<String> inputs,
      int[] inputGroup,
      String[] inputFeature) {}

  /** The request body as a JSON object; {@code fields} names what it should hold. */
  private static JsonNode body(RoutingContext ctx, String fields) {
    JsonNode req;
    try {
      req =
          JSON.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    } catch (IOException e) {
      throw new BadRequest(
          "body: not JSON ("
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getMessage())
              + ")");
    }
    if (req == null || !req.isObject())
      throw new BadRequest("body: expected a JSON object with " + fields);
    return req;
  }

  /** One lookup per entity and group, entity by entity; keys validated. */
  private static List<OnlineReader.Lookup> lookups(
      List<Map<String, Object>> entities, List<FeatureGroup> groups) {
    List<OnlineReader.Lookup> lookups = new ArrayList<>(entities.size() * groups.size());
    for (int i = 0; i < entities.size(); i++) {
      for (FeatureGroup g : groups)
        lookups.add(
            new OnlineReader.Lookup(g, EntityKeys.key(g, entities.get(i), "entities[" + i + "]")));
    }
    return lookups;
  }

  /** The request's {@code entities}: key field maps, values as given. */
  private List<Map<String, Object>> entities(JsonNode req) {
    JsonNode es = req.get("entities");
    if (es == null || !es.isArray() || es.isEmpty())
      throw new BadRequest("entities: expected a non-empty array of entity key objects");
    if (es.size() > maxEntities)
      throw new BadRequest("entities: at most " + maxEntities + " per request, got " + es.size());
    List<Map<String, Object>> entities = new ArrayList<>();
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
    }
    return entities;
  }

  // ---- the served-feature log

  private static List<OnlineReader.Lookup> lookupsOf(FeatureGroup g, String key) {
    return List.of(new OnlineReader.Lookup(g, key));
  }

  /**
   * Logs the values of sampled keys among {@code lookups} (off the request path: the writer's queue
   * takes them). {@code scores} holds one score per entity, each entity having {@code perEntity}
   * lookups in a row.
   */
  private void log(
      String endpoint,
      List<OnlineReader.Lookup> lookups,
      List<OnlineReader.Result> results,
      long now,
      PredictionModels.Model model,
      double[] scores,
      int perEntity) {
    if (servedLog == null) return;
    String requestId = null;
    for (int i = 0; i < lookups.size(); i++) {
      OnlineReader.Lookup l = lookups.get(i);
      if (!servedLog.sampled(l.key())) continue;
      if (requestId == null) requestId = serverId + "-" + requestSeq.incrementAndGet();
      OnlineReader.Result r = results.get(i);
      Map<String, String> features = new LinkedHashMap<>();
      if (r.found()) {
        r.features()
            .forEach(
                (name, v) -> {
                  if (v != null) features.put(name, String.valueOf(v));
                });
      }
      List<String> fields = l.group().entity();
      // Lookup keys join the entity values with ',' (EntityKeys), which values never hold.
      String[] values = l.key().split(",", -1);
      Map<String, String> entity = new LinkedHashMap<>();
      for (int f = 0; f < fields.size() && f < values.length; f++)
        entity.put(fields.get(f), values[f]);
      servedLog.offer(
          new ServedValue(
              java.time.Instant.ofEpochMilli(now),
              requestId,
              endpoint,
              l.group().name(),
              entity,
              r.found() ? r.validFrom() : null,
              features,
              model == null ? null : model.name(),
              model == null ? null : model.version(),
              scores == null ? null : scores[i / perEntity]));
    }
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

  private static final PredictionModels NO_MODELS =
      new PredictionModels() {
        @Override
        public Map<String, Model> models() {
          return Map.of();
        }

        @Override
        public String refresh() {
          return null;
        }
      };

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
    private int eventLoops = Math.max(1, Runtime.getRuntime().availableProcessors());
    private PredictionModels models = NO_MODELS;
    private ServedSink servedSink;
    private double servedRate;
    private java.time.Duration servedFlush = java.time.Duration.ofSeconds(10);
    private java.time.Duration modelRefresh = java.time.Duration.ofSeconds(10);

    private Builder() {}

    /**
     * The models {@code POST /predict} scores with (default none: it answers 400), refreshed every
     * {@link #modelRefresh}.
     */
    public Builder models(PredictionModels served) {
      this.models = Objects.requireNonNull(served, "models");
      return this;
    }

    /**
     * Logs what is served for a sample of keys: every request's values of a key whose hash falls in
     * {@code rate} of all keys ({@link ServedValue#sampled}) go to {@code sink}, in batches, from a
     * background thread (default: no log).
     */
    public Builder servedLog(ServedSink sink, double rate) {
      if (!(rate > 0 && rate <= 1))
        throw new IllegalArgumentException("served-log rate must be in (0, 1]: " + rate);
      this.servedSink = Objects.requireNonNull(sink, "sink");
      this.servedRate = rate;
      return this;
    }

    /** Longest time a served value waits before its batch is written (default 10 s). */
    public Builder servedLogFlush(java.time.Duration every) {
      if (every.toMillis() < 1)
        throw new IllegalArgumentException("served-log flush must be at least 1 ms: " + every);
      this.servedFlush = every;
      return this;
    }

    /** How often the models are refreshed, e.g. to pick up a promotion (default 10 s). */
    public Builder modelRefresh(java.time.Duration every) {
      if (every.toMillis() < 1)
        throw new IllegalArgumentException("model refresh must be at least 1 ms: " + every);
      this.modelRefresh = every;
      return this;
    }

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

    /** Event loops serving HTTP, each with a server of its own (default: one per core). */
    public Builder eventLoops(int n) {
      if (n < 1) throw new IllegalArgumentException("eventLoops must be at least 1: " + n);
      this.eventLoops = n;
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
