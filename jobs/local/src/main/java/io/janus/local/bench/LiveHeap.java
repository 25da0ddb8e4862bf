package io.janus.local.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The most heap this JVM held right after a garbage collection while it watched: what the work kept
 * alive (plus garbage already promoted), as opposed to the peak of used heap, which mostly measures
 * how long the collector waited. On a local MiniCluster the TaskManager is this JVM.
 */
final class LiveHeap {
  private final AtomicLong peak = new AtomicLong();
  private final List<Runnable> removals = new ArrayList<>();

  private LiveHeap() {}

  /** Starts watching every collector's notifications. */
  static LiveHeap start() {
    LiveHeap h = new LiveHeap();
    h.removals.add(
        onCollection(
            info -> {
              long used = 0;
              for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values())
                used += u.getUsed();
              h.peak.accumulateAndGet(used, Math::max);
            }));
    return h;
  }

  /**
   * Hands {@code f} every garbage collection of this JVM, from every collector, until the returned
   * action runs.
   */
  static Runnable onCollection(java.util.function.Consumer<GarbageCollectionNotificationInfo> f) {
    NotificationListener listener =
        (notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              notification.getType()))
            f.accept(
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()));
        };
    List<Runnable> removals = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        removals.add(
            () -> {
              try {
                emitter.removeNotificationListener(listener);
              } catch (javax.management.ListenerNotFoundException ignored) {
                // already gone
              }
            });
      }
    }
    return () -> removals.forEach(Runnable::run);
  }

  /** Stops watching. */
  void stop() {
    removals.forEach(Runnable::run);
  }

  /** The peak in MiB (0 when no collection ran meanwhile). */
  long peakMb() {
    return peak.get() >> 20;
  }
}
