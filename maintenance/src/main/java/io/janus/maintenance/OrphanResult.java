package io.janus.maintenance;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What an orphan-file removal did (or, in a dry run, would do).
 *
 * @param orphans files under the table location that no metadata references, older than the cut-off
 * @param millis wall time
 */
@JsonPropertyOrder({"orphans", "locations", "millis"})
public record OrphanResult(@JsonIgnore List<String> orphans, long millis) {
  /** How many orphan locations the JSON report lists; the count is always complete. */
  static final int LISTED = 100;

  /** How many orphans there are (the report lists at most {@link #LISTED} of them). */
  @JsonProperty("orphans")
  int count() {
    return orphans.size();
  }

  @JsonProperty("locations")
  List<String> locations() {
    return orphans.subList(0, Math.min(LISTED, orphans.size()));
  }

  String summary(boolean dryRun) {
    return String.format(
        "orphans   %d file(s) %s%s",
        orphans.size(),
        dryRun ? "would be removed" : "removed",
        dryRun ? "" : String.format(", %.1f s", millis / 1000.0));
  }
}
