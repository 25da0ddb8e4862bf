package io.janus.engine.flink.sync;

import io.janus.engine.iceberg.changes.SyncMarker;
import io.janus.engine.online.OnlineStore;
import java.util.List;

/**
 * Sync markers kept in the target itself, next to the values they describe: a target that lost its
 * data (flushed, replaced) lost its marker too, so the next sync reloads it instead of trusting a
 * marker that no longer holds. Durable as far as the target is (the embedded Redis appends to a
 * log).
 */
final class SyncMarkers {
  private final OnlineStore store;

  /** Markers kept in {@code store}. */
  public SyncMarkers(OnlineStore store) {
    this.store = store;
  }

  /** The marker of {@code table}, or null when this target was never synced from it. */
  public SyncMarker get(String table) {
    return SyncMarker.fromFields(store.multiGet(List.of(SyncMarker.storeKey(table))).get(0));
  }

  /** Records that the target now reflects {@code marker}. */
  public void put(SyncMarker marker) {
    store.putMetadata(SyncMarker.storeKey(marker.table()), marker.toFields());
  }
}
