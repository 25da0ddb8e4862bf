package io.janus.engine.iceberg.audit;

/**
 * Figures of one feature column over the audited rows.
 *
 * @param column column name
 * @param nulls number of null values
 * @param nullRate nulls / rows
 * @param min smallest non-null numeric value (null if none or not numeric)
 * @param max largest non-null numeric value
 */
public record ColumnStats(String column, long nulls, double nullRate, Double min, Double max) {}
