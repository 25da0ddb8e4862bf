package io.janus.local;

import io.janus.engine.core.definition.AuditRules;
import io.janus.engine.core.definition.FeatureGroup;
import io.janus.engine.flink.backfill.Backfill;
import io.janus.engine.flink.backfill.BackfillResult;
import io.janus.engine.flink.ingest.Ingest;
import io.janus.engine.flink.ingest.IngestResult;
import io.janus.engine.flink.parity.ParityCheck;
import io.janus.engine.flink.parity.ParityReport;
import io.janus.engine.flink.source.IcebergEventSource;
import io.janus.engine.flink.sync.OnlineSync;
import io.janus.engine.flink.sync.SyncResult;
import io.janus.engine.flink.training.PointInTimeJoin;
import io.janus.engine.flink.training.Spine;
import io.janus.engine.flink.training.TrainingSet;
import io.janus.engine.flink.training.TrainingSetResult;
import io.janus.engine.iceberg.FeatureTables;
import io.janus.engine.iceberg.OfflineReader;
import io.janus.engine.iceberg.Warehouse;
import io.janus.engine.iceberg.export.TableExport;
import io.janus.engine.iceberg.history.SnapshotHistory;
import io.janus.engine.iceberg.lineage.Lineage;
import io.janus.features.generate.ClickstreamGenerator;
import io.janus.jobs.cli.CommonOptions;
import io.janus.jobs.cli.Json;
import io.janus.jobs.cli.RedisOptions;
import io.janus.jobs.cli.RegistryCommand;
import io.janus.jobs.cli.SqlCommand;
import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.RegisterVersion;
import io.janus.registry.Stage;
import io.janus.registry.predict.BatchPrediction;
import io.janus.registry.predict.PredictionResult;
import io.janus.registry.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code janus demo}: the whole story on embedded defaults — generate, ingest, Write-Audit-Publish
 * backfills with lineage, an audit rejection, an idempotent re-run, time travel, streaming into
 * Redis, the backfill of what was streamed, online sync and the parity check — with a summary.
 * Exits 1 when parity fails.
 */
@Command(
    name = "demo",
    description = "Run the whole story on embedded defaults and print a summary.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--events",
      defaultValue = "1000000",
      description = "Sample events to generate (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--days",
      defaultValue = "3",
      description = "Days they span (default: ${DEFAULT-VALUE}).")
  int days;

  private int step;
  private boolean parityPassed;

  /** Today's users the feature server is asked for (the first three are printed). */
  private List<String> servedUsers = List.of();

  @Override
  public Integer call() throws Exception {
    long t0 = System.currentTimeMillis();
    Warehouse warehouse = common.warehouse();
    Path workdir = common.config().workdir();
    LocalDate start = LocalDate.parse("2024-01-01");
    LocalDate end = start.plusDays(days - 1);
    System.out.printf("Janus demo in %s (%,d events, %s..%s)%n%n", workdir, events, start, end);

    // 1. Generate.
    ClickstreamGenerator gen =
        ClickstreamGenerator.builder().events(events).days(days).start(start).build();
    Path file = workdir.resolve("events").resolve("demo-" + gen.seed() + "-" + events + ".jsonl");
    Files.createDirectories(file.getParent());
    long n = gen.writeTo(file);
    say("generated %,d clickstream events (seed %d) into %s", n, gen.seed(), file);

    // 2. Ingest.
    FeatureGroup user = common.group("user_activity");
    IngestResult ing =
        Ingest.of(warehouse, user.source())
            .checkingGroups(common.definitions().groupsOf(user.source().name()))
            .run(common.env(), file);
    say(
        "ingested %,d events into raw.%s; %,d malformed lines kept in janus.dead_letters with their reason",
        ing.events(), user.source().name(), ing.malformed());

    // 3. Backfill every shipped group with Write-Audit-Publish, through the day the last events'
    //    24 h expiries land on: no key's offline row is then cut before its windows emptied, which
    //    a key coming back in today's stream would disagree with.
    LocalDate throughExpiries = end.plusDays(1);
    BackfillResult first = null;
    for (String name : List.of("user_activity", "product_stats", "session_stats")) {
      FeatureGroup g = common.group(name);
      BackfillResult r = backfill(g, start, throughExpiries, true);
      say(
          "backfill %-13s %s..%s: %,9d rows, audit %s, %s (%.1f s)",
          name,
          start,
          throughExpiries,
          r.rowsWritten(),
          r.report().passed() ? "passed" : "FAILED",
          r.message(),
          r.totalMillis() / 1000.0);
      if (name.equals("user_activity")) first = r;
    }
    Objects.requireNonNull(first);

    // 4. Lineage of the published snapshot.
    OfflineReader reader = new OfflineReader(warehouse, user);
    long firstSnapshot = reader.currentSnapshot();
    Map<String, String> summary =
        warehouse.load(FeatureTables.id(user)).snapshot(firstSnapshot).summary();
    say("lineage of features.user_activity snapshot %d:", firstSnapshot);
    for (String k :
        List.of(
            Lineage.RUN_ID,
            Lineage.GIT_COMMIT,
            Lineage.GIT_DIRTY,
            Lineage.USER,
            Lineage.DEFINITION,
            Lineage.FINGERPRINT,
            Lineage.RANGE,
            Lineage.ENGINE_VERSION)) {
      System.out.printf("       %-22s %s%n", k, summary.get(k));
    }

    // 5. An audit that rejects: a rule the data breaks. Main must not move.
    AuditRules strict =
        new AuditRules(
            1L,
            null,
            null,
            Map.of(),
            Map.of("user_views_5m", new AuditRules.Range(0, 3)),
            Map.of(),
            AuditRules.DriftAction.FAIL);
    FeatureGroup tooStrict =
        new FeatureGroup(
            user.name(),
            user.version(),
            user.entity(),
            user.source(),
            user.hop(),
            user.ttl(),
            user.features(),
            strict,
            user.description(),
            "demo: user_activity with ranges {user_views_5m: [0, 3]}");
    BackfillResult rejected = backfill(tooStrict, start.plusDays(1), start.plusDays(1), true);
    long mainAfterReject = new OfflineReader(warehouse, user).currentSnapshot();
    say("audit rejection: %s", rejected.message());
    say(
        "main still at snapshot %d (unchanged: %s); branch %s kept for inspection",
        mainAfterReject, mainAfterReject == firstSnapshot, rejected.branch());

    // 6. Idempotent re-run of one day.
    List<Map<String, Object>> before = reader.rows(null, null);
    BackfillResult rerun = backfill(user, start.plusDays(1), start.plusDays(1), true);
    OfflineReader after = new OfflineReader(warehouse, user);
    List<Map<String, Object>> rowsAfter = after.rows(null, null);
    say(
        "re-ran %s for %s: %s; table rows %,d before, %,d after, identical: %s",
        user.name(),
        start.plusDays(1),
        rerun.message(),
        before.size(),
        rowsAfter.size(),
        before.equals(rowsAfter));

    // 7. Time travel back to the first published snapshot.
    List<Map<String, Object>> old = after.rows(null, firstSnapshot);
    say(
        "time travel: snapshot %d has %,d rows; main now at snapshot %d",
        firstSnapshot, old.size(), after.currentSnapshot());
    String key = (String) old.get(old.size() / 2).get("user_id");
    List<Map<String, Object>> keyRows = after.rows(key, null);
    say(
        "user %s has %,d change rows; the last: %s",
        key, keyRows.size(), Json.line(keyRows.get(keyRows.size() - 1)));

    // 8. Streaming: today's events through the same definition into the embedded Redis, then the
    //    backfill of what the stream saw (its cold path), and the two side by side.
    LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
    long streamEvents = Math.max(1000, events / 10);
    try (RedisOptions.Server redis = new RedisOptions().open(workdir)) {
      var streamed =
          io.janus.engine.flink.stream.StreamJob.of(
                  warehouse,
                  user,
                  new GeneratorPayloadSource(streamEvents, 1, today, 7, 0.001, Instant.now()),
                  redis.stores())
              .checkingGroups(common.definitions().groupsOf(user.source().name()))
              .withCheckpointDir(workdir.resolve("checkpoints").resolve(user.name()))
              .run(common.env());
      say(
          "streamed %,d of today's events (%s) through the same definition into %s (%,d malformed to dead letters)",
          streamed.events(), today, redis, streamed.malformed());
      // Through the day after tomorrow: the last expiries of today's events (24 h windows) land
      // there.
      BackfillResult todays = backfill(user, today, today.plusDays(2), true);
      say(
          "backfilled %s..%s from the events the stream appended to raw.clickstream: %,d rows, %s",
          today, today.plusDays(2), todays.rowsWritten(), todays.message());

      // 9. Reconcile: sync the published table into Redis (the guard keeps the streamed values),
      //    then check every key online against the offline row valid at its valid_from.
      SyncResult synced = OnlineSync.of(warehouse, user, redis.stores()).run(common.env());
      say("%s", synced.summary());
      ParityReport parity =
          ParityCheck.of(warehouse, user, redis.stores()).withExamples(3).run(common.env());
      say("%s", parity.summary());
      parityPassed = parity.passed();

      OfflineReader offline = new OfflineReader(warehouse, user);
      try (var store = new io.janus.engine.online.redis.RedisOnlineStore(redis.uri())) {
        var onlineReader = new io.janus.engine.online.OnlineReader(store);
        List<String> users =
            new java.util.ArrayList<>(
                new java.util.TreeSet<>(
                    offline.rows(null, null).stream()
                        .filter(
                            r ->
                                !((java.time.Instant) r.get("valid_from"))
                                    .isBefore(
                                        today.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()))
                        .map(r -> (String) r.get("user_id"))
                        .toList()));
        // The three busiest of them online, next to the offline row valid at the same time (the
        // point-in-time rule a training set uses): live values, not the emptied rows of tomorrow.
        List<String> busiest =
            users.stream()
                .map(k -> Map.entry(k, onlineReader.get(user, k)))
                .filter(e -> e.getValue().found())
                .sorted(
                    java.util.Comparator.comparingLong(
                        (Map.Entry<String, io.janus.engine.online.OnlineReader.Result> e) ->
                            -((Number) e.getValue().features().getOrDefault("user_views_24h", 0L))
                                .longValue()))
                .limit(3)
                .map(Map.Entry::getKey)
                .toList();
        say(
            "the three busiest of today's %,d users, online next to the offline row a training set"
                + " would read at the same time:",
            users.size());
        for (String k : busiest) {
          var online = onlineReader.get(user, k);
          Map<String, Object> row = offline.lookup(k, online.validFrom(), null);
          Map<String, Object> off = new java.util.LinkedHashMap<>(row == null ? Map.of() : row);
          off.keySet().retainAll(online.features().keySet());
          System.out.printf(
              "       %s online  valid_from %s %s%n", k, online.validFrom(), online.features());
          System.out.printf(
              "       %s offline valid_from %s %s  same: %s%n",
              k,
              row == null ? null : row.get("valid_from"),
              off,
              row != null
                  && online.validFrom().equals(row.get("valid_from"))
                  && off.equals(online.features()));
        }
        servedUsers = new java.util.ArrayList<>(busiest);
        users.stream().filter(u -> !busiest.contains(u)).limit(200).forEach(servedUsers::add);
      }
    }

    // 10. The ML loop starts: a spine of page views labelled "purchased within the next hour",
    //     written as a SQL query over the raw events, joined point-in-time with the user's
    // features.
    String spineSql =
        "SELECT v.user_id, v.event_ts AS ts, CASE WHEN EXISTS (SELECT 1 FROM `raw`.clickstream p"
            + " WHERE p.user_id = v.user_id AND p.event_type = 'purchase' AND p.event_ts > v.event_ts"
            + " AND p.event_ts <= v.event_ts + INTERVAL '1' HOUR) THEN 1 ELSE 0 END AS purchased_1h"
            + " FROM `raw`.clickstream v WHERE v.event_type = 'page_view' AND v.event_id LIKE '%0'";
    TrainingSetResult training =
        TrainingSet.of(
                warehouse,
                SqlCommand.stageSpine(
                    common.env(),
                    warehouse,
                    TrainingSet.id("demo_purchase_1h__spine"),
                    spineSql,
                    "ts"),
                List.of(user),
                "demo_purchase_1h")
            .replacing()
            .run(common.env());
    Path export = workdir.resolve("exports").resolve("demo_purchase_1h.jsonl");
    TableExport.write(
        warehouse.load(TrainingSet.id("demo_purchase_1h")), training.snapshotId(), export);
    long positives = 0;
    long withFeatures = 0;
    try (var rows =
        org.apache.iceberg.data.IcebergGenerics.read(
                warehouse.load(TrainingSet.id("demo_purchase_1h")))
            .build()) {
      for (var r : rows) {
        if (Integer.valueOf(1).equals(r.getField("purchased_1h"))) positives++;
        if (r.getField("user_views_24h") != null) withFeatures++;
      }
    }
    say(
        "training set %s: %,d page views labelled 'purchased within the next hour' (%,d positive),"
            + " joined point-in-time with user_activity @%d (%,d rows with live features), exported to %s",
        training.table(),
        training.rows(),
        positives,
        training.groups().get(0).snapshotId(),
        withFeatures,
        export);

    // 11-13. Train on it (Tribuo → ONNX), register, promote, and score every user now with the
    //        production model through Write-Audit-Publish.
    Trainer.Trained trained = Trainer.of(warehouse, "demo_purchase_1h", "purchased_1h").train();
    ModelRegistry registry = ModelRegistry.open(warehouse);
    RegisterVersion register =
        registry
            .register("purchase_1h")
            .artifact(trained.onnx(), ".onnx")
            .trainingSet("demo_purchase_1h")
            .withWorkingDir(Path.of(""));
    trained.metrics().forEach(register::metric);
    trained.params().forEach(register::param);
    ModelVersion model = register.register();
    say(
        "trained %s (Tribuo logistic regression on %s, exported to ONNX): held-out AUC %.3f over"
            + " %.0f rows; registered with sha256 %s…",
        model.ref(),
        String.join(", ", trained.signature().names()),
        trained.metrics().getOrDefault("auc", Double.NaN),
        trained.metrics().getOrDefault("test_rows", 0.0),
        model.sha256().substring(0, 12));
    model = registry.promote(model.model(), model.version(), Stage.PRODUCTION).change();
    say("promoted %s to production; its lineage:", model.ref());
    RegistryCommand.print(registry.lineage(model));
    PredictionResult predicted =
        BatchPrediction.of(
                warehouse,
                model,
                registry.load(model),
                PointInTimeJoin.of(
                    warehouse, Spine.keysOf(warehouse, user, Instant.now()), List.of(user)),
                "purchase_1h_now")
            .withWorkingDir(Path.of(""))
            .run(common.env());
    say(
        "scored %,d users with %s as of now into %s (audit %s, %,d rows with imputed features);"
            + " the three most likely to buy:",
        predicted.rows(),
        model.ref(),
        predicted.table(),
        predicted.audit().passed() ? "passed, published" : "FAILED " + predicted.audit().failures(),
        predicted.audit().imputedRows());
    List<org.apache.iceberg.data.Record> scored = new java.util.ArrayList<>();
    try (var rows =
        org.apache.iceberg.data.IcebergGenerics.read(
                warehouse.load(BatchPrediction.id("purchase_1h_now")))
            .build()) {
      for (var r : rows) scored.add(r.copy());
    }
    scored.sort(
        java.util.Comparator.comparing(
                (org.apache.iceberg.data.Record r) -> (Double) r.getField("score"))
            .reversed());
    scored.stream()
        .limit(3)
        .forEach(
            r ->
                System.out.printf(
                    "       %s score %.3f  user_views_24h=%s user_purchases_24h=%s%n",
                    r.getField("user_id"),
                    (Double) r.getField("score"),
                    r.getField("user_views_24h"),
                    r.getField("user_purchases_24h")));

    // 22-24. Serving: a sync writes the values that fell due since the last one; the feature server
    //        with the production model answers GET, POST /features and /predict and logs what it
    //        served; the log, joined point-in-time against the offline table, says whether serving
    //        saw the numbers training reads.
    boolean consistent;
    try (RedisOptions.Server redis = new RedisOptions().open(workdir);
        var store = new io.janus.engine.online.redis.RedisOnlineStore(redis.uri());
        RegistryModels models = new RegistryModels(registry)) {
      SyncResult due = OnlineSync.of(warehouse, user, redis.stores()).run(common.env());
      say("%s", due.summary());
      Instant servingFrom = Instant.now();
      serveRequests(store, models, servedUsers);
      io.janus.engine.flink.served.ConsistencyReport c =
          io.janus.engine.flink.served.ConsistencyCheck.of(warehouse, user)
              .withSince(servingFrom)
              .withExamples(3)
              .run(common.env());
      say("%s", c.summary());
      consistent = c.passed();
    }

    int snapshots =
        SnapshotHistory.of(warehouse, warehouse.load(FeatureTables.id(user)), user.name()).size();
    System.out.printf("%nDone in %.0f s. Explore:%n", (System.currentTimeMillis() - t0) / 1000.0);
    String wd = " --workdir " + workdir;
    System.out.printf(
        "  bin/janus snapshots --group user_activity%s      (%d snapshots with lineage and audit outcome)%n",
        wd, snapshots);
    System.out.printf("  bin/janus read --group user_activity --key %s%s%n", key, wd);
    System.out.printf(
        "  bin/janus read --group user_activity --key %s --as-of-snapshot %d%s --json%n",
        key, firstSnapshot, wd);
    System.out.printf("  bin/janus online get --group user_activity --key <user>%s%n", wd);
    System.out.printf("  bin/janus parity --group user_activity --sample 1000%s --json%n", wd);
    System.out.printf(
        "  bin/janus sql \"SELECT purchased_1h, COUNT(*) AS n, AVG(user_views_24h) AS views_24h FROM"
            + " training.demo_purchase_1h GROUP BY purchased_1h\"%s%n",
        wd);
    System.out.printf("  bin/janus registry lineage %s%s%n", model.ref(), wd);
    System.out.printf(
        "  bin/janus predict --model purchase_1h@production --all-keys --name purchase_1h_now%s"
            + " --export purchase_1h_now.jsonl%n",
        wd);
    System.out.printf("  audit reports in %s%n", common.config().reports());
    System.out.printf(
        "  bin/janus consistency --group user_activity%s --json      (served values vs training's)%n",
        wd);
    return parityPassed && predicted.published() && consistent ? 0 : 1;
  }

  private BackfillResult backfill(FeatureGroup g, LocalDate from, LocalDate to, boolean publish)
      throws Exception {
    Backfill b =
        Backfill.of(common.warehouse(), g, new IcebergEventSource(common.warehouse(), g.source()))
            .withRange(from, to)
            .withWorkingDir(Path.of(""))
            .withReportDir(common.config().reports());
    return (publish ? b : b.auditOnly()).run(common.env());
  }

  private void say(String format, Object... args) {
    System.out.printf("%2d. %s%n", ++step, String.format(format, args));
  }

  /**
   * Starts the feature server on a free port over the demo's Redis, with the registry's production
   * model and the served-feature log on for every key; asks it for the first three of {@code users}
   * one by one, all at once and for their predictions (printing requests and answers), then for the
   * others silently, and stops it (which writes the log).
   */
  private void serveRequests(
      io.janus.engine.online.redis.RedisOnlineStore store,
      RegistryModels models,
      List<String> users) {
    try (io.janus.serving.FeatureServer server =
        io.janus.serving.FeatureServer.builder()
            .groups(List.copyOf(common.definitions().groups().values()))
            .store(store)
            .models(models)
            .servedLog(ServeCommand.servedLog(common.warehouse()), 1.0)
            .host("127.0.0.1")
            .port(0)
            .start()) {
      String base = "http://127.0.0.1:" + server.port();
      List<String> shown = users.subList(0, Math.min(3, users.size()));
      say(
          "the feature server (janus serve) on %s answers over HTTP, scoring with %s:",
          base,
          String.join(
              ", ",
              models.models().values().stream().map(m -> m.name() + "@" + m.version()).toList()));
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      // Path and body (null for a GET) of each printed request.
      List<String[]> requests = new java.util.ArrayList<>();
      for (String u : shown) requests.add(new String[] {"/features/user_activity/" + u, null});
      String entities =
          String.join(", ", shown.stream().map(u -> "{\"user_id\": \"" + u + "\"}").toList());
      requests.add(
          new String[] {
            "/features", "{\"entities\": [" + entities + "], \"groups\": [\"user_activity\"]}"
          });
      requests.add(
          new String[] {
            "/predict", "{\"model\": \"purchase_1h\", \"entities\": [" + entities + "]}"
          });
      for (String[] r : requests) {
        java.net.http.HttpRequest.Builder b =
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + r[0]));
        if (r[1] != null)
          b.header("content-type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(r[1]));
        java.net.http.HttpResponse<String> a =
            http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        System.out.printf(
            "       %s %s%s -> %d %s%n",
            r[1] == null ? "GET" : "POST",
            r[0],
            r[1] == null ? "" : " " + r[1],
            a.statusCode(),
            a.body());
      }
      int others = 0;
      for (String u : users.subList(shown.size(), users.size())) {
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/features/user_activity/" + u))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
        others++;
      }
      System.out.printf(
          "       … and GET /features/user_activity/<user> for %d more of today's users, every"
              + " answer logged to janus.served_features%n",
          others);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
