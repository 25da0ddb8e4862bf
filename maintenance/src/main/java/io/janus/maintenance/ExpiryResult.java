package io.janus.maintenance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("snapshots_before", snapshotsBefore);
    m.put("snapshots_after", snapshotsAfter);
    m.put("expired_snapshots", expiredSnapshotIds.size());
    m.put("expired_snapshot_ids", expiredSnapshotIds);
    m.put("deleted_data_files", deletedDataFiles);
    m.put("deleted_delete_files", deletedDeleteFiles);
    m.put("deleted_manifests", deletedManifests);
    m.put("deleted_manifest_lists", deletedManifestLists);
    m.put("kept_refs", keptRefs);
    m.put("millis", millis);
    return m;
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
