package io.janus.jobs.cli;

import io.janus.registry.ModelLineage;
import io.janus.registry.ModelRegistry;
import io.janus.registry.ModelVersion;
import io.janus.registry.RegisterVersion;
import io.janus.registry.SemanticVersion;
import io.janus.registry.Stage;
import io.janus.registry.Verification;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code janus registry}: model versions, their lifecycle, hashes and lineage. */
@Command(
    name = "registry",
    description =
        "Model registry (Iceberg table janus.model_registry): register, list, show, promote,"
            + " archive, lineage, verify.",
    subcommands = {
      RegistryCommand.Register.class,
      RegistryCommand.ListVersions.class,
      RegistryCommand.Show.class,
      RegistryCommand.Promote.class,
      RegistryCommand.Archive.class,
      RegistryCommand.Lineage.class,
      RegistryCommand.Verify.class
    })
public final class RegistryCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand (try janus registry --help)");
  }

  /** A subcommand on one version: {@code MODEL[@VERSION]}, the options, {@code --json}. */
  abstract static class OnVersion implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(
        paramLabel = "MODEL[@VERSION]",
        description = "MODEL@1.2.3, MODEL@production, MODEL@staging or MODEL@latest.")
    String ref;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    ModelRegistry registry() {
      return ModelRegistry.open(common.warehouse());
    }
  }

  /** Prints a model's lineage as a tree. */
  public static void print(ModelLineage l) {
    System.out.printf(
        "model %s@%s (%s, sha256 %s)%n", l.model(), l.version(), l.stage().label(), l.sha256());
    ModelLineage.TrainingSetSource t = l.trainingSet();
    System.out.printf(
        "└─ training set %s @ %d%s  run %s  git %s%n     spine %s%n",
        t.table(),
        t.snapshotId(),
        t.tag() == null ? "" : " [" + t.tag() + "]",
        t.runId(),
        t.gitCommit(),
        t.spine());
    for (ModelLineage.FeatureSource f : l.features()) {
      System.out.printf(
          "   └─ %s @ %d%s  fingerprint %s%n",
          f.table(),
          f.snapshotId(),
          f.tag() == null ? " (not pinned)" : " [" + f.tag() + "]",
          f.fingerprint());
      for (ModelLineage.Run run : f.runs()) {
        System.out.printf(
            "      └─ %-8s run %s  %s  git %s  fingerprint %s%n",
            run.job(),
            run.runId(),
            run.range() == null ? "" : run.range(),
            run.gitCommit(),
            run.fingerprint());
      }
    }
  }

  /** {@code --minor} or {@code --major}; the patch is raised otherwise. */
  public static final class BumpOptions {
    @ArgGroup(exclusive = true)
    Part part;

    static final class Part {
      @Option(names = "--minor", description = "Raise the minor version (1.2.3 → 1.3.0).")
      boolean minor;

      @Option(names = "--major", description = "Raise the major version (1.2.3 → 2.0.0).")
      boolean major;
    }

    SemanticVersion.Bump bump() {
      if (part == null) return SemanticVersion.Bump.PATCH;
      return part.major ? SemanticVersion.Bump.MAJOR : SemanticVersion.Bump.MINOR;
    }
  }

  @Command(name = "register", description = "Register an artifact as a new version of MODEL.")
  static final class Register implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--model", required = true)
    String model;

    @Option(names = "--artifact", required = true, paramLabel = "FILE")
    Path artifact;

    @Option(names = "--training-set", required = true, paramLabel = "NAME")
    String trainingSet;

    @Option(names = "--metric", paramLabel = "K=V", description = "A measured figure (repeatable).")
    Map<String, Double> metrics = new LinkedHashMap<>();

    @Option(
        names = "--param",
        paramLabel = "K=V",
        description = "A training parameter (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Mixin BumpOptions bump;

    @Option(names = "--json")
    boolean json;

    @Override
    public Integer call() {
      RegisterVersion r =
          ModelRegistry.open(common.warehouse())
              .register(model)
              .artifact(artifact)
              .trainingSet(trainingSet)
              .bump(bump.bump())
              .withWorkingDir(Path.of(""));
      metrics.forEach(r::metric);
      params.forEach(r::param);
      ModelVersion v = r.register();
      if (json) System.out.println(Json.line(v));
      else
        System.out.printf(
            "registered %s (sha256 %s) from training set %s%n", v.ref(), v.sha256(), trainingSet);
      return 0;
    }
  }

  @Command(name = "list", description = "Every version of every model.")
  static final class ListVersions implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Option(names = "--json", description = "One JSON object per version.")
    boolean json;

    @Override
    public Integer call() {
      List<ModelVersion> all = ModelRegistry.open(common.warehouse()).list();
      if (json) {
        all.forEach(v -> System.out.println(Json.line(v)));
        return 0;
      }
      System.out.printf(
          "%-20s %-9s %-10s %-20s %-14s %s%n",
          "MODEL", "VERSION", "STAGE", "REGISTERED", "SHA256", "TRAINING SET");
      for (ModelVersion v : all) {
        System.out.printf(
            "%-20s %-9s %-10s %-20s %-14s %s%n",
            v.model(),
            v.version(),
            v.stage().label(),
            v.registeredAt().toString().substring(0, 19) + "Z",
            v.sha256().substring(0, 12),
            v.trainingSet());
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      description = "One version: MODEL (the latest), MODEL@VERSION, MODEL@production.")
  static final class Show extends OnVersion {
    @Override
    public Integer call() {
      ModelVersion v = registry().resolve(ref);
      if (json) {
        System.out.println(Json.line(v));
        return 0;
      }
      System.out.printf("%s  %s%n", v.ref(), v.stage().label());
      System.out.printf("  artifact      %s%n  sha256        %s%n", v.artifact(), v.sha256());
      System.out.printf(
          "  training set  %s (snapshot %d)%n", v.trainingSet(), v.trainingSnapshotId());
      for (ModelVersion.FeatureSnapshot f : v.features())
        System.out.printf("  features      %s @ %d (tag %s)%n", f.table(), f.snapshotId(), f.tag());
      v.metrics()
          .forEach(
              (k, x) -> System.out.printf("  metric        %s = %s%n", k, TrainCommand.fmt(x)));
      v.params().forEach((k, x) -> System.out.printf("  param         %s = %s%n", k, x));
      System.out.printf(
          "  registered    %s by %s (git %s)%n", v.registeredAt(), v.registeredBy(), v.gitCommit());
      for (ModelVersion.StageChange c : v.history())
        System.out.printf(
            "  %-13s %s by %s%s%n",
            c.stage().label(), c.at(), c.by(), c.reason() == null ? "" : " (" + c.reason() + ")");
      return 0;
    }
  }

  @Command(
      name = "promote",
      description = "Move MODEL@VERSION to staging or production (one production per model).")
  static final class Promote extends OnVersion {

    @Option(names = "--to", required = true, paramLabel = "staging|production")
    String to;

    @Override
    public Integer call() {
      ModelRegistry r = registry();
      ModelVersion v = r.resolve(ref);
      ModelVersion changed = r.promote(v.model(), v.version(), Stage.of(to)).change();
      if (json) System.out.println(Json.line(changed));
      else System.out.printf("%s is now %s%n", changed.ref(), changed.stage().label());
      return 0;
    }
  }

  @Command(
      name = "archive",
      description = "Retire MODEL@VERSION: no longer promotable, its snapshots no longer pinned.")
  static final class Archive extends OnVersion {
    @Override
    public Integer call() {
      ModelRegistry r = registry();
      ModelVersion v = r.resolve(ref);
      ModelVersion changed = r.archive(v.model(), v.version()).change();
      if (json) System.out.println(Json.line(changed));
      else System.out.printf("%s is archived; its snapshot tags were removed%n", changed.ref());
      return 0;
    }
  }

  @Command(
      name = "lineage",
      description = "Model → training set → feature snapshots → runs, git commits, fingerprints.")
  static final class Lineage extends OnVersion {
    @Override
    public Integer call() {
      ModelRegistry r = registry();
      ModelLineage l = r.lineage(r.resolve(ref));
      if (json) {
        System.out.println(Json.line(l));
        return 0;
      }
      print(l);
      return 0;
    }
  }

  @Command(
      name = "verify",
      description =
          "Check the stored artifact's SHA-256 and the snapshot tags; exit 1 when either is wrong.")
  static final class Verify extends OnVersion {
    @Override
    public Integer call() {
      ModelRegistry r = registry();
      Verification v = r.verify(r.resolve(ref));
      boolean ok = v.ok() && v.unpinned().isEmpty();
      if (json) {
        System.out.println(Json.line(v));
      } else if (ok) {
        System.out.printf("%s: ok (sha256 %s, snapshots pinned)%n", v.ref(), v.expectedSha256());
      } else if (!v.ok()) {
        System.err.printf(
            "janus registry verify: %s: artifact %s has sha256 %s, registered %s%n",
            v.ref(),
            v.artifact(),
            v.actualSha256() == null ? "(missing)" : v.actualSha256(),
            v.expectedSha256());
      } else {
        System.err.printf(
            "janus registry verify: %s: snapshot tags missing: %s%n",
            v.ref(), String.join(", ", v.unpinned()));
      }
      return ok ? 0 : 1;
    }
  }
}
