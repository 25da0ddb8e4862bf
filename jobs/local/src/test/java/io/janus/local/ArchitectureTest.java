package io.janus.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module map of {@code docs/architecture.md}, checked on the compiled production classes: which
 * layer may use which, what the core may not import, and that internals stay inside their module.
 */
class ArchitectureTest {
  static JavaClasses janus;

  @BeforeAll
  static void importClasses() {
    janus =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // The test jars other modules share (test helpers, e.g. CliRun) are tests too.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.janus");
  }

  @Test
  void layersUseOnlyTheLayersBelowThem() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("core")
        .definedBy("io.janus.engine.core..")
        .layer("lakehouse")
        .definedBy("io.janus.engine.iceberg..")
        .layer("online")
        .definedBy("io.janus.engine.online..")
        .layer("pipelines")
        .definedBy("io.janus.engine.flink..")
        .layer("embedded")
        .definedBy("io.janus.engine.embedded..")
        .layer("ml")
        .definedBy("io.janus.registry..")
        .layer("serving")
        .definedBy("io.janus.serving..")
        .layer("cli")
        .definedBy("io.janus.jobs..")
        .layer("local")
        .definedBy("io.janus.local..")
        .whereLayer("local")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("embedded")
        .mayOnlyBeAccessedByLayers("local")
        .whereLayer("cli")
        .mayOnlyBeAccessedByLayers("local")
        .whereLayer("serving")
        .mayOnlyBeAccessedByLayers("local")
        .whereLayer("ml")
        .mayOnlyBeAccessedByLayers("cli", "local")
        .whereLayer("pipelines")
        .mayOnlyBeAccessedByLayers("ml", "cli", "local")
        .whereLayer("lakehouse")
        .mayOnlyBeAccessedByLayers("pipelines", "ml", "cli", "local")
        .whereLayer("online")
        .mayOnlyBeAccessedByLayers("pipelines", "serving", "cli", "local")
        .whereLayer("core")
        .mayOnlyBeAccessedByLayers(
            "lakehouse", "online", "pipelines", "ml", "serving", "cli", "local")
        .check(janus);
  }

  @Test
  void theCoreIsFrameworkFree() {
    noClasses()
        .that()
        .resideInAPackage("io.janus.engine.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..",
            "org.apache.iceberg..",
            "org.apache.hadoop..",
            "io.lettuce..",
            "io.netty..",
            "org.apache.kafka..",
            "org.eclipse.jgit..",
            "redis.embedded..")
        .check(janus);
  }

  @Test
  void onlyTheOnlineLayerKnowsRedisAndOnlyTheLakehouseAndPipelinesKnowIceberg() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.janus.engine.online..", "io.janus.local..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.lettuce..")
        .check(janus);
    noClasses()
        .that()
        .resideInAPackage("io.janus.engine.online..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.iceberg..")
        .check(janus);
  }

  @Test
  void onlyTheServingLayerKnowsTheHttpStack() {
    // The serving benchmark's load generator is the one other user of the stack: an open-loop
    // generator needs a non-blocking client, and this is the one on the classpath.
    noClasses()
        .that()
        .resideOutsideOfPackages("io.janus.serving..", "io.janus.local.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx..", "io.prometheus.metrics.expositionformats..")
        .check(janus);
  }

  @Test
  void onlyTheMlLayerKnowsTheModelLibraries() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.janus.registry..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("ai.onnxruntime..", "ai.onnx..", "org.tribuo..")
        .check(janus);
    // Training (Tribuo) stays apart from loading and scoring (ONNX Runtime only).
    noClasses()
        .that()
        .resideInAnyPackage("io.janus.registry.predict..", "io.janus.registry.onnx..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.tribuo..")
        .check(janus);
  }

  @Test
  void theFlinkRunJarNeverReachesTheSampleGenerator() {
    // The shaded jobs jar leaves io.janus.features.generate out; nothing in it may need it.
    noClasses()
        .that()
        .resideInAnyPackage("io.janus.jobs..", "io.janus.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.janus.features.generate..")
        .check(janus);
  }

  @Test
  void thePipelinesKnowTheOnlineStoreOnlyThroughItsSpi() {
    noClasses()
        .that()
        .resideInAPackage("io.janus.engine.flink..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.janus.engine.online.redis..")
        .check(janus);
  }

  @Test
  void storesAndChecksReadTheOutputSchemaNotTheComputePlan() {
    // Column names and types come from FeatureGroup.schema(); how values are computed stays with
    // the core's state machine and the Flink pipelines.
    noClasses()
        .that()
        .resideInAnyPackage("io.janus.engine.iceberg..", "io.janus.engine.online..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.janus.engine.core.plan..", "io.janus.engine.core.state..")
        .check(janus);
  }

  @Test
  void internalsAreUsedOnlyInsideTheirOwnPackageTree() {
    // x.y.internal.Z may be used by x.y and its subpackages only: what is not API says so by its
    // package.
    classes()
        .that()
        .resideInAPackage("..internal..")
        .should(
            new ArchCondition<JavaClass>(
                "be used only inside the package tree owning its internal") {
              @Override
              public void check(JavaClass c, ConditionEvents events) {
                String pkg = c.getPackageName();
                String owner = pkg.substring(0, pkg.indexOf(".internal"));
                for (Dependency d : c.getDirectDependenciesToSelf()) {
                  String from = d.getOriginClass().getPackageName();
                  if (!from.equals(owner) && !from.startsWith(owner + ".")) {
                    events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                  }
                }
              }
            })
        .check(janus);
  }

  @Test
  void enginePackagesHaveNoCycles() {
    // A package naming its own internal implementations (Aggregations listing the built-in
    // aggregators) is not a cycle between layers; every other dependency counts.
    SliceRule rule = slices().matching("io.janus.engine.(**)").should().beFreeOfCycles();
    for (String internal :
        janus.stream()
            .map(JavaClass::getPackageName)
            .filter(p -> p.startsWith("io.janus.engine.") && p.endsWith(".internal"))
            .distinct()
            .toList()) {
      String owner = internal.substring(0, internal.length() - ".internal".length());
      rule =
          rule.ignoreDependency(
              JavaClass.Predicates.resideInAPackage(owner),
              JavaClass.Predicates.resideInAPackage(internal + ".."));
    }
    rule.check(janus);
  }
}
