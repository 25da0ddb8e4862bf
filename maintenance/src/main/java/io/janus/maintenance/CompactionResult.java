package io.janus.maintenance;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

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
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({
  "files_before",
  "files_after",
  "bytes_before",
  "bytes_after",
  "groups",
  "rewritten_files",
  "rewritten_bytes",
  "added_files",
  "failed_groups",
  "sorted_by",
  "millis"
})
public record CompactionResult(
    @JsonIgnore TableFacts before,
    @JsonIgnore TableFacts after,
    int groups,
    long rewrittenFiles,
    long rewrittenBytes,
    long addedFiles,
    int failedGroups,
    java.util.List<String> sortedBy,
    long millis) {

  @JsonProperty("files_before")
  long filesBefore() {
    return before.dataFiles();
  }

  @JsonProperty("files_after")
  long filesAfter() {
    return after.dataFiles();
  }

  @JsonProperty("bytes_before")
  long bytesBefore() {
    return before.bytes();
  }

  @JsonProperty("bytes_after")
  long bytesAfter() {
    return after.bytes();
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
