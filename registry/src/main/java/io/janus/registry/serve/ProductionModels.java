package io.janus.registry.serve;

import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.Stage;
import io.janus.registry.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production version of every model in a registry, loaded into ONNX Runtime for online scoring
 * and kept current: {@link #refresh()} reads the registry, and a model whose production version
 * changed (a promotion, a rollback) is loaded — its artifact checked against the registered SHA-256
 * — and swapped in at once, as one immutable map. A version that fails to load leaves the one
 * served before in place. A replaced model is closed a grace period later, after the requests that
 * still hold it finished.
 */
public final class ProductionModels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProductionModels.class);
  private static final long GRACE_SECONDS = 30;

  private final ModelRegistry registry;
  private final AtomicReference<Map<String, Loaded>> served = new AtomicReference<>(Map.of());
  private final ScheduledExecutorService closer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "janus-model-closer");
            t.setDaemon(true);
            return t;
          });
  private volatile String lastError;

  /**
   * A production version loaded for scoring.
   *
   * @param version the registered version (its feature snapshots name the groups it reads)
   * @param onnx the loaded model
   */
  public record Loaded(ModelVersion version, OnnxModel onnx) {}

  private ProductionModels(ModelRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * The production models of {@code registry}; none is loaded before the first {@link #refresh()}.
   *
   * @param registry the registry
   * @return the models
   */
  public static ProductionModels of(ModelRegistry registry) {
    return new ProductionModels(registry);
  }

  /**
   * The models served now, by model name: an immutable map, replaced as a whole by {@link
   * #refresh()}.
   *
   * @return the loaded production versions
   */
  public Map<String, Loaded> current() {
    return served.get();
  }

  /**
   * Why the last refresh could not load a version, or null when it loaded all it tried.
   *
   * @return the reason
   */
  public String lastError() {
    return lastError;
  }

  /**
   * Reads the registry and swaps in every model whose production version changed; models without a
   * production version any more are dropped. Call it off the request path (it reads the registry
   * table and, on a change, the artifact).
   *
   * @return the models served after the refresh
   */
  public synchronized Map<String, Loaded> refresh() {
    Map<String, Loaded> before = served.get();
    Map<String, Loaded> next = new HashMap<>();
    List<Loaded> replaced = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (ModelVersion v : registry.list()) {
      if (v.stage() != Stage.PRODUCTION) continue;
      Loaded old = before.get(v.model());
      if (old != null && old.version().version().equals(v.version())) {
        next.put(v.model(), old);
        continue;
      }
      try {
        Loaded loaded = new Loaded(v, OnnxModel.load(registry.load(v), v.ref()));
        next.put(v.model(), loaded);
        if (old != null) replaced.add(old);
        LOG.info(
            "serving {} (sha256 {}…){}",
            v.ref(),
            v.sha256().substring(0, 12),
            old == null ? "" : ", replacing " + old.version().ref());
      } catch (RuntimeException e) {
        errors.add(v.ref() + ": " + e.getMessage());
        LOG.error("cannot serve {}: {}; keeping what was served before", v.ref(), e.getMessage());
        if (old != null) next.put(v.model(), old);
      }
    }
    for (Map.Entry<String, Loaded> e : before.entrySet()) {
      if (!next.containsKey(e.getKey())) {
        replaced.add(e.getValue());
        LOG.info("{} has no production version any more: no longer served", e.getKey());
      }
    }
    served.set(Map.copyOf(next));
    lastError = errors.isEmpty() ? null : String.join("; ", errors);
    for (Loaded r : replaced) {
      closer.schedule(() -> r.onnx().close(), GRACE_SECONDS, TimeUnit.SECONDS);
    }
    return served.get();
  }

  /** Closes every loaded model. */
  @Override
  public void close() {
    for (Runnable pending : closer.shutdownNow()) pending.run();
    for (Loaded l : served.getAndSet(Map.of()).values()) l.onnx().close();
  }
}
