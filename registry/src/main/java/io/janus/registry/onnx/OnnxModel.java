package io.janus.registry.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A model loaded into ONNX Runtime from its file's bytes, with the {@link ModelSignature} its
 * metadata carries. Scores batches of raw feature vectors (null as {@code NaN}): each value is
 * imputed and scaled as the signature says, then the session runs once per batch.
 *
 * <p>Not thread-safe for concurrent {@link #score} calls on one instance' buffers; one per task.
 */
public final class OnnxModel implements AutoCloseable {
  private final OrtSession session;
  private final ModelSignature signature;
  private final String input;

  private OnnxModel(OrtSession session, ModelSignature signature) {
    this.session = session;
    this.signature = signature;
    this.input = session.getInputNames().iterator().next();
  }

  /**
   * Loads a model written by {@code janus train} (or any ONNX classifier with a {@link
   * ModelSignature#METADATA_KEY} entry in its metadata).
   *
   * @param bytes the ONNX file
   * @param what the model's name for messages, e.g. {@code churn@1.0.2}
   * @return the model
   */
  public static OnnxModel load(byte[] bytes, String what) {
    try {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      OrtSession session = env.createSession(bytes, options);
      String json = session.getMetadata().getCustomMetadata().get(ModelSignature.METADATA_KEY);
      if (json == null) {
        session.close();
        throw new IllegalArgumentException(
            "model "
                + what
                + " has no "
                + ModelSignature.METADATA_KEY
                + " metadata naming its inputs; train it with janus train");
      }
      return new OnnxModel(session, ModelSignature.fromJson(json));
    } catch (OrtException e) {
      throw new IllegalArgumentException("model " + what + " is not a valid ONNX model: " + e, e);
    }
  }

  /** What the model takes and gives. */
  public ModelSignature signature() {
    return signature;
  }

  /**
   * The positive label's probability for each row.
   *
   * @param rows raw feature values in {@link ModelSignature#names()} order, {@code NaN} for null
   * @param n how many rows of {@code rows} to score
   * @return one score per row
   */
  public double[] score(double[][] rows, int n) {
    int k = signature.inputs().size();
    FloatBuffer buf = FloatBuffer.allocate(n * k);
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < k; c++) buf.put(signature.inputs().get(c).scaled(rows[r][c]));
    }
    buf.flip();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, buf, new long[] {n, k});
        OrtSession.Result result = session.run(Map.of(input, tensor))) {
      float[][] probs = (float[][]) result.get(0).getValue();
      int p = signature.positiveIndex();
      double[] out = new double[n];
      for (int r = 0; r < n; r++) out[r] = probs[r][p];
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("scoring failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }
}
