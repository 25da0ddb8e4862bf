package io.janus.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.engine.core.definition.DefinitionLoader;
import io.janus.engine.core.definition.Definitions;
import io.janus.engine.core.definition.Feature;
import org.junit.jupiter.api.Test;

/** The shipped groups load, validate and cover the sample domain. */
class ShippedDefinitionsTest {
  @Test
  void shippedGroupsValidate() {
    Definitions d = DefinitionLoader.shipped();
    assertThat(d.sources()).containsOnlyKeys("clickstream");
    assertThat(d.groups()).containsOnlyKeys("user_activity", "product_stats", "session_stats");
    assertThat(d.group("user_activity").features())
        .extracting(Feature::name)
        .contains("user_views_5m", "user_add2cart_1h", "user_cr_24h", "user_rev_24h");
    assertThat(d.group("product_stats").features())
        .extracting(Feature::name)
        .contains("prod_ctr_24h", "prod_rev_24h", "prod_views_1h");
    assertThat(d.group("session_stats").entity()).containsExactly("session_id");
    assertThat(d.group("session_stats").features())
        .extracting(Feature::name)
        .contains("sess_duration_s", "sess_unique_products", "sess_events");
    assertThat(d.group("session_stats").feature("sess_unique_products").orElseThrow().agg())
        .extracting(a -> a.name())
        .isEqualTo("approx_count_distinct");
    assertThat(d.group("user_activity").fingerprint())
        .isEqualTo(DefinitionLoader.shipped().group("user_activity").fingerprint());
  }
}
