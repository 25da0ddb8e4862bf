package io.janus.maintenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an orphan-file removal did (or, in a dry run, would do).
 *
 * @param orphans files under the table location that no metadata references, older than the cut-off
 * @param millis wall time
 */
public record OrphanResult(List<String> orphans, long millis) {
  /** How many orphan locations the JSON report lists; the count is always complete. */
  static final int LISTED = 100;

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("orphans", orphans.size());
    m.put("locations", orphans.subList(0, Math.min(LISTED, orphans.size())));
    m.put("millis", millis);
    return m;
  }

  String summary(boolean dryRun) {
    return String.format(
        "orphans   %d file(s) %s%s",
        orphans.size(),
        dryRun ? "would be removed" : "removed",
        dryRun ? "" : String.format(", %.1f s", millis / 1000.0));
  }
}
