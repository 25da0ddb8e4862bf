package io.janus.registry.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.Serializable;
import java.util.List;

/**
 * What a Janus model takes and gives, stored in the ONNX file's metadata ({@link #METADATA_KEY}) so
 * that prediction needs nothing but the file: the input features in tensor order, with the
 * imputation and scaling the training used, and the labels in output order.
 *
 * <p>Imputation (documented in {@code docs/ml.md}): a null feature (no row for the key yet, a row
 * past its TTL, a ratio over 0) becomes the feature's mean over the training rows; every input is
 * then scaled to {@code (x - mean) / std}. A null is therefore exactly 0 after scaling.
 *
 * @param inputs the input features, in the order of the model's input tensor
 * @param labels the class labels, in the order of the model's output tensor
 * @param positive the label whose probability is the score
 * @param imputation how nulls are filled ({@code mean})
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelSignature(
    List<Input> inputs, List<String> labels, String positive, String imputation)
    implements Serializable {

  /** The ONNX metadata key holding the signature as JSON. */
  public static final String METADATA_KEY = "janus.signature";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One input feature.
   *
   * @param name the training-set column (and the ONNX feature name)
   * @param mean the training rows' mean: the value a null takes
   * @param std the training rows' standard deviation (1 when it was 0)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Input(String name, double mean, double std) implements Serializable {
    /** {@code value} imputed and scaled ({@code NaN} stands for null). */
    public float scaled(double value) {
      return Double.isNaN(value) ? 0f : (float) ((value - mean) / std);
    }
  }

  /**
   * A feature value as the model takes it: numbers as they are, booleans as 1 or 0, and {@code NaN}
   * for null or a non-finite number (imputed by {@link Input#scaled}).
   *
   * @param v a number, a boolean, or null
   * @return the value
   */
  public static double value(Object v) {
    if (v == null) return Double.NaN;
    if (v instanceof Boolean b) return b ? 1 : 0;
    double d = ((Number) v).doubleValue();
    return Double.isFinite(d) ? d : Double.NaN;
  }

  /**
   * Whether a column of this type can be a model input (numbers and booleans).
   *
   * @param type an Iceberg type
   * @return true for int, long, float, double and boolean
   */
  public static boolean accepts(org.apache.iceberg.types.Type type) {
    return switch (type.typeId()) {
      case INTEGER, LONG, FLOAT, DOUBLE, BOOLEAN -> true;
      default -> false;
    };
  }

  /** The input names, in tensor order. */
  public List<String> names() {
    return inputs.stream().map(Input::name).toList();
  }

  /** The index of the positive label in the output. */
  public int positiveIndex() {
    return labels.indexOf(positive);
  }

  /** The signature as JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a signature.
   *
   * @param json the metadata value
   * @return the signature
   */
  public static ModelSignature fromJson(String json) {
    try {
      return JSON.readValue(json, ModelSignature.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("model metadata " + METADATA_KEY + " is not valid: " + e);
    }
  }
}
