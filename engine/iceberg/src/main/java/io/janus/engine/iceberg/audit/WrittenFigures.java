package io.janus.engine.iceberg.audit;

/**
 * What a backfill job measured on the rows it handed to the writer (see {@code RangeFilter}).
 *
 * @param rows rows written
 * @param keys distinct entity keys
 * @param duplicates rows whose {@code (keys, valid_from)} repeated an earlier row's or went
 *     backwards
 * @param badDs rows whose {@code ds} is not {@code date(valid_from)}
 */
public record WrittenFigures(long rows, long keys, long duplicates, long badDs) {}
