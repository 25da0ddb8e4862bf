package io.janus.maintenance;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What a snapshot expiry did (or, in a dry run, would do).
 *
 * @param snapshotsBefore snapshots before
 * @param snapshotsAfter snapshots after (what would remain in a dry run)
 * @param expiredSnapshotIds the expired snapshots
 * @param deletedDataFiles data files deleted because no retained snapshot references them
 * @param deletedDeleteFiles delete files deleted
 * @param deletedManifests manifests deleted
 * @param deletedManifestLists manifest lists deleted
 * @param keptRefs branches and tags, all of whose snapshots were kept
 * @param millis wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({
  "snapshots_before",
  "snapshots_after",
  "expired_snapshots",
  "expired_snapshot_ids",
  "deleted_data_files",
  "deleted_delete_files",
  "deleted_manifests",
  "deleted_manifest_lists",
  "kept_refs",
  "millis"
})
public record ExpiryResult(
    int snapshotsBefore,
    int snapshotsAfter,
    List<Long> expiredSnapshotIds,
    long deletedDataFiles,
    long deletedDeleteFiles,
    long deletedManifests,
    long deletedManifestLists,
    List<String> keptRefs,
    long millis) {

  @JsonProperty("expired_snapshots")
  int expiredSnapshots() {
    return expiredSnapshotIds.size();
  }

  String summary(boolean dryRun) {
    return String.format(
        "expire    snapshots %d -> %d (%d %sexpired), %s %d data files, %d manifests, %d manifest lists; refs kept: %s%s",
        snapshotsBefore,
        snapshotsAfter,
        expiredSnapshotIds.size(),
        dryRun ? "would be " : "",
        dryRun ? "would delete" : "deleted",
        deletedDataFiles + deletedDeleteFiles,
        deletedManifests,
        deletedManifestLists,
        String.join(", ", keptRefs),
        dryRun ? "" : String.format(", %.1f s", millis / 1000.0));
  }
}
