package io.janus.engine.core.served;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * What the feature server answered for one entity of one group in one request: the record of the
 * served-feature log ({@code janus.served_features}), which the consistency check joins
 * point-in-time against the offline table.
 *
 * @param servedAt when the request was answered
 * @param requestId the request (every value one request served shares it)
 * @param endpoint e.g. {@code POST /predict}
 * @param group the feature group
 * @param entity the entity key fields and their values, as text
 * @param validFrom the {@code valid_from} of the values served, or null when none were found
 * @param features the values served, as text (null values left out); empty when none were found
 * @param model the model a prediction used, or null
 * @param modelVersion its version, or null
 * @param score the prediction's score, or null
 */
public record ServedValue(
    Instant servedAt,
    String requestId,
    String endpoint,
    String group,
    Map<String, String> entity,
    Instant validFrom,
    Map<String, String> features,
    String model,
    String modelVersion,
    Double score) {

  /** Checks the required fields and freezes the maps. */
  public ServedValue {
    Objects.requireNonNull(servedAt, "servedAt");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(group, "group");
    entity = Map.copyOf(entity);
    features = Map.copyOf(features);
  }

  /** Whether values were found (and served) for the entity. */
  public boolean found() {
    return validFrom != null;
  }

  /**
   * Whether the key belongs to a sample of {@code rate} of all keys: a hash of the key alone
   * decides, so a sampled key is logged in every request, by every server, in every group keyed the
   * same way.
   *
   * @param key the entity key (its values joined as the online key joins them)
   * @param rate the share of keys sampled, 0 to 1
   * @return whether to log it
   */
  public static boolean sampled(String key, double rate) {
    if (rate >= 1) return true;
    if (rate <= 0) return false;
    CRC32C crc = new CRC32C();
    crc.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return crc.getValue() < (long) (rate * 0x1_0000_0000L);
  }
}
