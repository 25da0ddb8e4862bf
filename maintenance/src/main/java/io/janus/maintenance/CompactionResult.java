package io.janus.maintenance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a compaction did (or, in a dry run, would do).
 *
 * @param before the table before
 * @param after the table after (equal to before in a dry run)
 * @param groups file groups rewritten (planned in a dry run)
 * @param rewrittenFiles data files replaced
 * @param rewrittenBytes their bytes
 * @param addedFiles data files written
 * @param failedGroups groups whose commit failed (partial progress only)
 * @param sortedBy columns the rewrite sorted by, empty for bin-packing
 * @param millis wall time
 */
public record CompactionResult(
    TableFacts before,
    TableFacts after,
    int groups,
    long rewrittenFiles,
    long rewrittenBytes,
    long addedFiles,
    int failedGroups,
    java.util.List<String> sortedBy,
    long millis) {

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("files_before", before.dataFiles());
    m.put("files_after", after.dataFiles());
    m.put("bytes_before", before.bytes());
    m.put("bytes_after", after.bytes());
    m.put("groups", groups);
    m.put("rewritten_files", rewrittenFiles);
    m.put("rewritten_bytes", rewrittenBytes);
    m.put("added_files", addedFiles);
    m.put("failed_groups", failedGroups);
    m.put("sorted_by", sortedBy);
    m.put("millis", millis);
    return m;
  }

  String summary(boolean dryRun) {
    if (dryRun) {
      return String.format(
          "compact   would rewrite %d of %d files (%s) in %d group(s)%s",
          rewrittenFiles,
          before.dataFiles(),
          Bytes.format(rewrittenBytes),
          groups,
          sortedBy.isEmpty() ? "" : ", sorted by " + String.join(",", sortedBy));
    }
    return String.format(
        "compact   files %d -> %d, bytes %s -> %s, %d group(s)%s%s, %.1f s",
        before.dataFiles(),
        after.dataFiles(),
        Bytes.format(before.bytes()),
        Bytes.format(after.bytes()),
        groups,
        sortedBy.isEmpty() ? "" : ", sorted by " + String.join(",", sortedBy),
        failedGroups == 0 ? "" : ", " + failedGroups + " group(s) FAILED",
        millis / 1000.0);
  }
}
