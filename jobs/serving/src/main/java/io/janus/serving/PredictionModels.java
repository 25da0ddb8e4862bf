package io.janus.serving;

import java.util.List;
import java.util.Map;

/**
 * The models {@code POST /predict} scores with, kept current by whoever provides them (the command
 * line wires the model registry's production versions). The server calls {@link #refresh()}
 * periodically off the request path and reads {@link #models()} on every request, so a refresh must
 * replace the map as a whole.
 */
public interface PredictionModels {
  /**
   * The models served now, by name.
   *
   * @return an immutable map
   */
  Map<String, Model> models();

  /**
   * Looks for changes (a promotion, a rollback) and swaps them in.
   *
   * @return why a model could not be loaded, or null when all loaded
   */
  String refresh();

  /** One loaded model version. */
  interface Model {
    /**
     * The model's name.
     *
     * @return the name
     */
    String name();

    /**
     * The version served.
     *
     * @return e.g. {@code 1.0.2}
     */
    String version();

    /**
     * The feature groups the model was trained on, in the training set's order.
     *
     * @return group names
     */
    List<String> groups();

    /**
     * The model's inputs in tensor order: a feature of one of {@link #groups()}, or {@code
     * <group>__<feature>} where training-set columns collided.
     *
     * @return input names
     */
    List<String> inputs();

    /**
     * Scores rows of raw feature values (numbers, booleans, null for absent), imputing and scaling
     * them as the training did.
     *
     * @param rows one array per entity, in {@link #inputs()} order
     * @return the positive label's probability per row
     */
    double[] score(Object[][] rows);
  }
}
