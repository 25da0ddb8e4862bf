package io.janus.registry;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What {@code janus registry verify} found.
 *
 * @param ref {@code model@version}
 * @param artifact where the artifact is stored
 * @param expectedSha256 the registered hash
 * @param actualSha256 the stored bytes' hash (null when the artifact is missing)
 * @param ok whether they are equal
 * @param unpinned feature snapshots whose pinning tag is missing (should be none while the version
 *     is not archived)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Verification(
    String ref,
    String artifact,
    String expectedSha256,
    String actualSha256,
    boolean ok,
    List<String> unpinned) {}
