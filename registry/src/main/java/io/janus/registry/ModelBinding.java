package io.janus.registry;

/**
 * A model version bound to the feature-table snapshot it was trained on.
 *
 * @param model model name
 * @param version model version
 * @param table feature table, e.g. {@code features.user_activity}
 * @param snapshotId the snapshot the training set was read from
 * @param tag the Iceberg tag that pins the snapshot
 */
public record ModelBinding(String model, int version, String table, long snapshotId, String tag) {}
