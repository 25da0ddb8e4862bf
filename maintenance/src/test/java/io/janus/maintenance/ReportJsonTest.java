package io.janus.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code janus maintain --json} object is a contract: its field names and order are pinned. */
class ReportJsonTest {
  @Test
  void reportsEveryStepThatRanAndListsAtMostAHundredOrphans() throws Exception {
    List<String> orphans = new ArrayList<>();
    for (int i = 0; i < 101; i++) orphans.add("f" + i);
    TableReport t =
        new TableReport(
            "raw.clickstream",
            new CompactionResult(
                new TableFacts(10, 1000, 3),
                new TableFacts(2, 900, 4),
                1,
                10,
                1000,
                2,
                0,
                List.of("user_id"),
                50),
            new ExpiryResult(4, 2, List.of(1L, 2L), 3, 0, 2, 2, List.of("main"), 60),
            new OrphanResult(orphans, 70),
            200);
    String json =
        new ObjectMapper()
            .writeValueAsString(
                new MaintenanceMain.Report("all", false, "r1", List.of(t, onlyCompacted()), 300));
    assertThat(json)
        .startsWith(
            "{\"action\":\"all\",\"dry_run\":false,\"run_id\":\"r1\",\"tables\":[{\"table\":\"raw.clickstream\","
                + "\"compact\":{\"files_before\":10,\"files_after\":2,\"bytes_before\":1000,\"bytes_after\":900,"
                + "\"groups\":1,\"rewritten_files\":10,\"rewritten_bytes\":1000,\"added_files\":2,"
                + "\"failed_groups\":0,\"sorted_by\":[\"user_id\"],\"millis\":50},"
                + "\"expire\":{\"snapshots_before\":4,\"snapshots_after\":2,\"expired_snapshots\":2,"
                + "\"expired_snapshot_ids\":[1,2],\"deleted_data_files\":3,\"deleted_delete_files\":0,"
                + "\"deleted_manifests\":2,\"deleted_manifest_lists\":2,\"kept_refs\":[\"main\"],\"millis\":60},"
                + "\"orphans\":{\"orphans\":101,\"locations\":[\"f0\",")
        .contains("\"f99\"],\"millis\":70},\"millis\":200},")
        .doesNotContain("\"f100\"")
        .endsWith(
            "{\"table\":\"features.g\",\"compact\":{\"files_before\":1,\"files_after\":1,\"bytes_before\":1,"
                + "\"bytes_after\":1,\"groups\":0,\"rewritten_files\":0,\"rewritten_bytes\":0,\"added_files\":0,"
                + "\"failed_groups\":0,\"sorted_by\":[],\"millis\":1},\"millis\":2}],\"millis\":300}");
  }

  private static TableReport onlyCompacted() {
    TableFacts f = new TableFacts(1, 1, 1);
    return new TableReport(
        "features.g", new CompactionResult(f, f, 0, 0, 0, 0, 0, List.of(), 1), null, null, 2);
  }
}
