package io.janus.local;

import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.onnx.ModelSignature;
import io.janus.registry.serve.ProductionModels;
import io.janus.serving.PredictionModels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The feature server's models: the production version of every model in the registry, as {@link
 * ProductionModels} loads and swaps them.
 */
public final class RegistryModels implements PredictionModels, AutoCloseable {
  private final ProductionModels production;
  private final AtomicReference<Map<String, Model>> models = new AtomicReference<>(Map.of());

  /** The production models of {@code registry}, loaded by the first {@link #refresh()}. */
  public RegistryModels(ModelRegistry registry) {
    this.production = ProductionModels.of(registry);
  }

  @Override
  public Map<String, Model> models() {
    return models.get();
  }

  @Override
  public synchronized String refresh() {
    Map<String, ProductionModels.Loaded> loaded = production.refresh();
    Map<String, Model> before = models.get();
    Map<String, Model> next = new HashMap<>();
    loaded.forEach(
        (name, l) -> {
          Model old = before.get(name);
          next.put(name, old instanceof Served s && s.loaded == l ? old : new Served(l));
        });
    models.set(Map.copyOf(next));
    return production.lastError();
  }

  @Override
  public void close() {
    production.close();
  }

  /** One loaded production version. */
  private static final class Served implements Model {
    final ProductionModels.Loaded loaded;
    private final List<String> groups;

    Served(ProductionModels.Loaded loaded) {
      this.loaded = loaded;
      this.groups =
          loaded.version().features().stream().map(ModelVersion.FeatureSnapshot::group).toList();
    }

    @Override
    public String name() {
      return loaded.version().model();
    }

    @Override
    public String version() {
      return loaded.version().version();
    }

    @Override
    public List<String> groups() {
      return groups;
    }

    @Override
    public List<String> inputs() {
      return loaded.onnx().signature().names();
    }

    @Override
    public double[] score(Object[][] rows) {
      double[][] values = new double[rows.length][];
      for (int r = 0; r < rows.length; r++) {
        values[r] = new double[rows[r].length];
        for (int c = 0; c < rows[r].length; c++) values[r][c] = ModelSignature.value(rows[r][c]);
      }
      return loaded.onnx().score(values, rows.length);
    }
  }
}
